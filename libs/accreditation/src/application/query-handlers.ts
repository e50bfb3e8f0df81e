/**
 * The QueryBus side of the context: reads from the read models only, opening each person with their
 * key from the vault (rows hold them sealed).
 */
import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { NotFound, PERSONAL_DATA_VAULT, type PersonalDataVault } from '#event-sourcing';
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

@QueryHandler(ListApplications)
export class ListApplicationsHandler implements IQueryHandler<ListApplications> {
  constructor(
    @InjectRepository(ApplicationRow) private readonly rows: Repository<ApplicationRow>,
    @Inject(PERSONAL_DATA_VAULT) private readonly vault: PersonalDataVault,
  ) {}

  async execute({ missionId, status }: ListApplications): Promise<ApplicationView[]> {
    const rows = await this.rows.find({
      where: { missionId, ...(status && { status }) },
      order: { submittedAt: 'ASC', applicationId: 'ASC' },
    });
    return toViews(rows, this.vault);
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

  async execute({ missionId, filter }: ListObservers): Promise<ApplicationView[]> {
    const query = this.rows
      .createQueryBuilder('a')
      .where('a.mission_id = :missionId', { missionId })
      .andWhere('a.status IN (:...accredited)', { accredited: ACCREDITED });
    if (filter.delegation)
      query.andWhere('a.delegation = :delegation', { delegation: filter.delegation.toUpperCase() });
    if (filter.role) query.andWhere('a.role = :role', { role: filter.role });
    const views = await toViews(await query.getMany(), this.vault);
    // Languages and names are sealed in the rows: filtered and ordered once opened.
    const language = filter.language?.toLowerCase();
    return views
      .filter((view) => !language || view.person.languages.includes(language))
      .sort(
        (a, b) =>
          byFamilyName(a.person.familyName, b.person.familyName) ||
          (a.applicationId < b.applicationId ? -1 : a.applicationId > b.applicationId ? 1 : 0),
      );
  }
}

/** As Postgres ordered them: by family name, the erased (no name) last. */
const byFamilyName = (a: string | null, b: string | null): number =>
  a === b ? 0 : a === null ? 1 : b === null ? -1 : a.localeCompare(b);

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

  async execute({ missionId }: ListRuleSets): Promise<RuleSet[]> {
    const rows = await this.rows.find({ where: { missionId }, order: { ruleSetId: 'ASC' } });
    return rows.map((r) => r.ruleSet);
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
