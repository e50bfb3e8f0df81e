/**
 * QUERY TRANSPORT ADAPTER, to be replaced by the interface generated from proto/: the query classes the
 * routes send on the QueryBus (and the gRPC tunnel carries) and their handlers, reading the applications view only, opening each person with their key from the vault (rows hold them sealed).
 */
import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { NotFound, PERSONAL_DATA_VAULT, type PersonalDataVault } from '#event-sourcing';
import { readPage, type Keyset, type Page, type PageRequest } from '#platform';
import type { ApplicationStatus } from '../domain/application.js';
import { ApplicationRow, toView, toViews } from './applications.projection.js';
import type { ApplicationView } from './views.js';

export type { ApplicationView, PersonView } from './views.js';

export class ListApplications extends Query<Page<ApplicationView>> {
  constructor(
    readonly missionId: string,
    readonly status: ApplicationStatus | undefined,
    readonly page: PageRequest,
  ) {
    super();
  }
}

export class GetApplication extends Query<ApplicationView> {
  constructor(
    readonly missionId: string,
    readonly applicationId: string,
  ) {
    super();
  }
}

/** In the order they came in; an application submitted later is on a later page. */
const APPLICATIONS_ORDER: Keyset<ApplicationRow> = {
  list: 'applications',
  keys: [
    { sql: 'a.submitted_at', type: 'text', of: (row) => row.submittedAt },
    { sql: 'a.application_id', type: 'text', of: (row) => row.applicationId },
  ],
};

@QueryHandler(ListApplications)
export class ListApplicationsHandler implements IQueryHandler<ListApplications> {
  constructor(
    @InjectRepository(ApplicationRow) private readonly rows: Repository<ApplicationRow>,
    @Inject(PERSONAL_DATA_VAULT) private readonly vault: PersonalDataVault,
  ) {}

  execute({ missionId, status, page }: ListApplications): Promise<Page<ApplicationView>> {
    const query = this.rows.createQueryBuilder('a').where('a.mission_id = :missionId', { missionId });
    if (status) query.andWhere('a.status = :status', { status });
    return readPage(query, APPLICATIONS_ORDER, { missionId, status: status ?? null }, page, (rows) =>
      toViews(rows, this.vault),
    );
  }
}

@QueryHandler(GetApplication)
export class GetApplicationHandler implements IQueryHandler<GetApplication> {
  constructor(
    @InjectRepository(ApplicationRow) private readonly rows: Repository<ApplicationRow>,
    @Inject(PERSONAL_DATA_VAULT) private readonly vault: PersonalDataVault,
  ) {}

  async execute({ missionId, applicationId }: GetApplication): Promise<ApplicationView> {
    const row = await this.rows.findOneBy({ missionId, applicationId });
    if (!row) throw new NotFound(`there is no application ${applicationId} in this mission`);
    return toView(row, this.vault);
  }
}
