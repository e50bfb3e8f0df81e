/**
 * QUERY TRANSPORT ADAPTER, to be replaced by the interface generated from proto/: the query classes the
 * routes send on the QueryBus (and the gRPC tunnel carries) and their handlers, reading the applications view: the observers accredited, and whose badge a number is.
 */
import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { NotFound, PERSONAL_DATA_VAULT, type PersonalDataVault } from '#event-sourcing';
import { readPage, type Keyset, type Page, type PageRequest } from '#platform';
import type { ObserverRole } from '../domain/application.js';
import { badgeNumberOf } from '../domain/badge-number.js';
import { ApplicationRow, toView, toViews } from '../applications-view/applications.projection.js';
import type { ApplicationView } from '../applications-view/views.js';

export class ListObservers extends Query<Page<ApplicationView>> {
  constructor(
    readonly missionId: string,
    readonly filter: {
      readonly delegation?: string;
      readonly role?: ObserverRole;
      readonly language?: string;
    },
    readonly page: PageRequest,
  ) {
    super();
  }
}

export class FindBadge extends Query<ApplicationView> {
  constructor(
    readonly missionId: string,
    readonly badgeNumber: string,
  ) {
    super();
  }
}

/** Accredited: the badge is in force (a suspended observer is still accredited, but may not observe until reinstated). */
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

@QueryHandler(ListObservers)
export class ListObserversHandler implements IQueryHandler<ListObservers> {
  constructor(
    @InjectRepository(ApplicationRow) private readonly rows: Repository<ApplicationRow>,
    @Inject(PERSONAL_DATA_VAULT) private readonly vault: PersonalDataVault,
  ) {}

  execute({ missionId, filter, page }: ListObservers): Promise<Page<ApplicationView>> {
    const query = this.rows
      .createQueryBuilder('a')
      .where('a.mission_id = :missionId', { missionId })
      .andWhere('a.status IN (:...accredited)', { accredited: ACCREDITED });
    if (filter.delegation)
      query.andWhere('a.delegation = :delegation', { delegation: filter.delegation.toUpperCase() });
    if (filter.role) query.andWhere('a.role = :role', { role: filter.role });
    // Languages are sealed in the rows: a page's rows are opened, then filtered.
    const language = filter.language?.toLowerCase();
    const scope = {
      missionId,
      delegation: filter.delegation?.toUpperCase() ?? null,
      role: filter.role ?? null,
      language: language ?? null,
    };
    return readPage(query, OBSERVERS_ORDER, scope, page, async (rows) =>
      (await toViews(rows, this.vault)).map((view) =>
        !language || view.person.languages.includes(language) ? view : null,
      ),
    );
  }
}

@QueryHandler(FindBadge)
export class FindBadgeHandler implements IQueryHandler<FindBadge> {
  constructor(
    @InjectRepository(ApplicationRow) private readonly rows: Repository<ApplicationRow>,
    @Inject(PERSONAL_DATA_VAULT) private readonly vault: PersonalDataVault,
  ) {}

  async execute({ missionId, badgeNumber }: FindBadge): Promise<ApplicationView> {
    const row = await this.rows.findOneBy({ missionId, badgeNumber: badgeNumberOf(badgeNumber) });
    if (!row) throw new NotFound(`there is no badge ${badgeNumber} in this mission`);
    return toView(row, this.vault);
  }
}
