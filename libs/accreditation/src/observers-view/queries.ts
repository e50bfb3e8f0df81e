/**
 * The queries of the applications view about who is accredited (ListObservers, FindBadge): the observers
 * in force, and whose badge a number is.
 */
import type { Repository } from 'typeorm';
import { NotFound, type PersonalDataVault } from '#event-sourcing';
import { readPage, type Keyset } from '#platform';
import type {
  FindBadgeRequest,
  FindBadgeResponse,
  ListObserversRequest,
  ListObserversResponse,
} from '#proto/observa/accreditation/v1/accreditation';
import {
  applicationMessageOf,
  pageReplyOf,
  pageRequestFrom,
} from '../applications-view/application.message.js';
import { ApplicationRow, toView, toViews } from '../applications-view/applications.projection.js';
import { badgeNumberOf } from '../domain/badge-number.js';

const ACCREDITED = ['granted', 'suspended'];

/**
 * By delegation, then in the order they came in: names are sealed in the rows (erasure), so the
 * database cannot order by them; a client sorts a page by name once it has it.
 */
const OBSERVERS_ORDER: Keyset<ApplicationRow> = {
  list: 'observers',
  keys: [
    { sql: 'a.delegation', type: 'text', of: (row) => row.delegation },
    { sql: 'a.submitted_at', type: 'text', of: (row) => row.submittedAt },
    { sql: 'a.application_id', type: 'text', of: (row) => row.applicationId },
  ],
};

export const listObservers = async (
  rows: Repository<ApplicationRow>,
  vault: PersonalDataVault,
  request: ListObserversRequest,
): Promise<ListObserversResponse> => {
  const { missionId } = request;
  const query = rows
    .createQueryBuilder('a')
    .where('a.mission_id = :missionId', { missionId })
    .andWhere('a.status IN (:...accredited)', { accredited: ACCREDITED });
  if (request.delegation)
    query.andWhere('a.delegation = :delegation', { delegation: request.delegation.toUpperCase() });
  if (request.role) query.andWhere('a.role = :role', { role: request.role });
  // Languages are sealed in the rows: a page's rows are opened, then filtered.
  const language = request.language?.toLowerCase() || undefined;
  const scope = {
    missionId,
    delegation: request.delegation?.toUpperCase() || null,
    role: request.role || null,
    language: language ?? null,
  };
  const read = await readPage(query, OBSERVERS_ORDER, scope, pageRequestFrom(request.page), async (found) =>
    (await toViews(found, vault)).map((view) =>
      !language || view.person.languages.includes(language) ? view : null,
    ),
  );
  return pageReplyOf(read, applicationMessageOf);
};

export const findBadge = async (
  rows: Repository<ApplicationRow>,
  vault: PersonalDataVault,
  { missionId, badgeNumber }: FindBadgeRequest,
): Promise<FindBadgeResponse> => {
  const row = await rows.findOneBy({ missionId, badgeNumber: badgeNumberOf(badgeNumber) });
  if (!row) throw new NotFound(`there is no badge ${badgeNumber} in this mission`);
  return { application: applicationMessageOf(await toView(row, vault)) };
};
