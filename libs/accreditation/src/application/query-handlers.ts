/** The QueryBus side of the context: reads from the read models only. */
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { NotFound } from '#event-sourcing';
import { readPage, type Keyset, type Page } from '#platform';
import type { RuleSet } from '../domain/eligibility.js';
import {
  FindBadge,
  GetApplication,
  ListApplications,
  ListObservers,
  ListRuleSets,
  type ApplicationView,
} from './queries.js';
import { ApplicationRow, RuleSetRow, toView } from './read-models.js';
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

/** By family name, the erased (who have none) last. */
const OBSERVERS_ORDER: Keyset<ApplicationRow> = {
  list: 'observers',
  keys: [
    { sql: '(a.family_name IS NULL)', type: 'boolean', of: (row) => row.familyName === null },
    { sql: "COALESCE(a.family_name, '')", type: 'text', of: (row) => row.familyName ?? '' },
    { sql: 'a.application_id', type: 'text', of: (row) => row.applicationId },
  ],
};

const RULE_SETS_ORDER: Keyset<RuleSetRow> = {
  list: 'rule-sets',
  keys: [{ sql: 'r.rule_set_id', type: 'text', of: (row) => row.ruleSetId }],
};

@QueryHandler(ListApplications)
export class ListApplicationsHandler implements IQueryHandler<ListApplications> {
  constructor(@InjectRepository(ApplicationRow) private readonly rows: Repository<ApplicationRow>) {}

  execute({ missionId, status, page }: ListApplications): Promise<Page<ApplicationView>> {
    const query = this.rows.createQueryBuilder('a').where('a.mission_id = :missionId', { missionId });
    if (status) query.andWhere('a.status = :status', { status });
    return readPage(query, APPLICATIONS_ORDER, { missionId, status: status ?? null }, page, toView);
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

  execute({ missionId, filter, page }: ListObservers): Promise<Page<ApplicationView>> {
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
    const scope = {
      missionId,
      delegation: filter.delegation?.toUpperCase() ?? null,
      role: filter.role ?? null,
      language: filter.language?.toLowerCase() ?? null,
    };
    return readPage(query, OBSERVERS_ORDER, scope, page, toView);
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

  execute({ missionId, page }: ListRuleSets): Promise<Page<RuleSet>> {
    const query = this.rows.createQueryBuilder('r').where('r.mission_id = :missionId', { missionId });
    return readPage(query, RULE_SETS_ORDER, { missionId }, page, (row) => row.ruleSet);
  }
}

export const QUERY_HANDLERS = [
  ListApplicationsHandler,
  GetApplicationHandler,
  ListObserversHandler,
  FindBadgeHandler,
  ListRuleSetsHandler,
];
