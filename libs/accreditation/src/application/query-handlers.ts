/** The QueryBus side of the context: reads from the read models only. */
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { NotFound } from '#event-sourcing';
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
import { ApplicationRow, RuleSetRow, toView } from './read-models.js';
import { badgeNumberOf } from '../domain/badge-number.js';

/** Accredited: the badge is in force (a suspended observer is still accredited, but may not observe until reinstated). */
const ACCREDITED = ['granted', 'suspended'];

@QueryHandler(ListApplications)
export class ListApplicationsHandler implements IQueryHandler<ListApplications> {
  constructor(@InjectRepository(ApplicationRow) private readonly rows: Repository<ApplicationRow>) {}

  async execute({ missionId, status }: ListApplications): Promise<ApplicationView[]> {
    const rows = await this.rows.find({
      where: { missionId, ...(status && { status }) },
      order: { submittedAt: 'ASC', applicationId: 'ASC' },
    });
    return rows.map(toView);
  }
}

@QueryHandler(GetApplication)
export class GetApplicationHandler implements IQueryHandler<GetApplication> {
  constructor(@InjectRepository(ApplicationRow) private readonly rows: Repository<ApplicationRow>) {}

  async execute({ missionId, applicationId }: GetApplication): Promise<ApplicationView> {
    const row = await this.rows.findOneBy({ missionId, applicationId });
    if (!row) throw new NotFound(`there is no application ${applicationId} in this mission`);
    return toView(row);
  }
}

@QueryHandler(ListObservers)
export class ListObserversHandler implements IQueryHandler<ListObservers> {
  constructor(@InjectRepository(ApplicationRow) private readonly rows: Repository<ApplicationRow>) {}

  async execute({ missionId, filter }: ListObservers): Promise<ApplicationView[]> {
    const query = this.rows
      .createQueryBuilder('a')
      .where('a.mission_id = :missionId', { missionId })
      .andWhere('a.status IN (:...accredited)', { accredited: ACCREDITED });
    if (filter.delegation)
      query.andWhere('a.delegation = :delegation', { delegation: filter.delegation.toUpperCase() });
    if (filter.role) query.andWhere('a.role = :role', { role: filter.role });
    if (filter.language)
      query.andWhere('a.languages @> :language::jsonb', {
        language: JSON.stringify([filter.language.toLowerCase()]),
      });
    const rows = await query.orderBy('a.family_name', 'ASC').addOrderBy('a.application_id', 'ASC').getMany();
    return rows.map(toView);
  }
}

@QueryHandler(FindBadge)
export class FindBadgeHandler implements IQueryHandler<FindBadge> {
  constructor(@InjectRepository(ApplicationRow) private readonly rows: Repository<ApplicationRow>) {}

  async execute({ missionId, badgeNumber }: FindBadge): Promise<ApplicationView> {
    const row = await this.rows.findOneBy({ missionId, badgeNumber: badgeNumberOf(badgeNumber) });
    if (!row) throw new NotFound(`there is no badge ${badgeNumber} in this mission`);
    return toView(row);
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
