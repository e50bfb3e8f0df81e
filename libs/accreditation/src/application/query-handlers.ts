/**
 * The QueryBus side of the context: reads from the read models only, opening each person with their
 * key from the vault (rows hold them sealed).
 */
import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { NotFound, PERSONAL_DATA_VAULT, type PersonalDataVault } from '#event-sourcing';
import { readPage, type Keyset, type Page } from '#platform';
import type { RuleSet } from '../domain/eligibility.js';
import {
  FindBadge,
  GetApplication,
  GetImportJob,
  ListApplications,
  ListObservers,
  ListRuleSets,
  type ApplicationView,
} from './queries.js';
import type { ImportJobView } from './commands.js';
import { ImportJobs } from './import-jobs.js';
import { ApplicationRow, RuleSetRow, toView, toViews } from './read-models.js';
import { badgeNumberOf } from '../domain/badge-number.js';

/** Accredited: the badge is in force (a suspended observer is still accredited, but may not observe until reinstated). */
const ACCREDITED = ['granted', 'suspended'];

/** In the order they came in; an application submitted later is on a later page. */
const APPLICATIONS_ORDER: Keyset<ApplicationRow> = {
  list: 'applications',
  keys: [
    { sql: 'a.submitted_at', type: 'text', of: (row) => row.submittedAt },
    { sql: 'a.application_id', type: 'text', of: (row) => row.applicationId },
  ],
};

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

const RULE_SETS_ORDER: Keyset<RuleSetRow> = {
  list: 'rule-sets',
  keys: [{ sql: 'r.rule_set_id', type: 'text', of: (row) => row.ruleSetId }],
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

@QueryHandler(ListRuleSets)
export class ListRuleSetsHandler implements IQueryHandler<ListRuleSets> {
  constructor(@InjectRepository(RuleSetRow) private readonly rows: Repository<RuleSetRow>) {}

  execute({ missionId, page }: ListRuleSets): Promise<Page<RuleSet>> {
    const query = this.rows.createQueryBuilder('r').where('r.mission_id = :missionId', { missionId });
    return readPage(query, RULE_SETS_ORDER, { missionId }, page, (rows) => rows.map((row) => row.ruleSet));
  }
}

@QueryHandler(GetImportJob)
export class GetImportJobHandler implements IQueryHandler<GetImportJob> {
  constructor(private readonly jobs: ImportJobs) {}

  async execute({ missionId, jobId }: GetImportJob): Promise<ImportJobView> {
    const job = await this.jobs.view(missionId, jobId);
    if (!job) throw new NotFound(`there is no import job ${jobId} in this mission`);
    return job;
  }
}

export const QUERY_HANDLERS = [
  GetImportJobHandler,
  ListApplicationsHandler,
  GetApplicationHandler,
  ListObserversHandler,
  FindBadgeHandler,
  ListRuleSetsHandler,
];
