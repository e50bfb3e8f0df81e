/**
 * The queries of the applications view (ListApplications, GetApplication): they read the view only,
 * opening each person with their key from the vault (rows hold them sealed).
 */
import type { Repository } from 'typeorm';
import { NotFound, type PersonalDataVault } from '#event-sourcing';
import { readPage, type Keyset } from '#platform';
import type {
  GetApplicationRequest,
  GetApplicationResponse,
  ListApplicationsRequest,
  ListApplicationsResponse,
} from '#proto/observa/accreditation/v1/accreditation';
import { applicationMessageOf, pageReplyOf, pageRequestFrom } from './application.message.js';
import { ApplicationRow, toView, toViews } from './applications.projection.js';

export type { ApplicationView, PersonView } from './views.js';

const APPLICATIONS_ORDER: Keyset<ApplicationRow> = {
  list: 'applications',
  keys: [
    { sql: 'a.submitted_at', type: 'text', of: (row) => row.submittedAt },
    { sql: 'a.application_id', type: 'text', of: (row) => row.applicationId },
  ],
};

export const listApplications = async (
  rows: Repository<ApplicationRow>,
  vault: PersonalDataVault,
  { missionId, status, page }: ListApplicationsRequest,
): Promise<ListApplicationsResponse> => {
  const query = rows.createQueryBuilder('a').where('a.mission_id = :missionId', { missionId });
  if (status) query.andWhere('a.status = :status', { status });
  const read = await readPage(
    query,
    APPLICATIONS_ORDER,
    { missionId, status: status ?? null },
    pageRequestFrom(page),
    (found) => toViews(found, vault),
  );
  return pageReplyOf(read, applicationMessageOf);
};

export const getApplication = async (
  rows: Repository<ApplicationRow>,
  vault: PersonalDataVault,
  { missionId, applicationId }: GetApplicationRequest,
): Promise<GetApplicationResponse> => {
  const row = await rows.findOneBy({ missionId, applicationId });
  if (!row) throw new NotFound(`there is no application ${applicationId} in this mission`);
  return { application: applicationMessageOf(await toView(row, vault)) };
};
