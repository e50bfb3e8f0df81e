/**
 * QUERY TRANSPORT ADAPTER, to be replaced by the interface generated from proto/: the query classes the
 * routes send on the QueryBus (and the gRPC tunnel carries) and their handlers, reading the rule sets view.
 */
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { readPage, type Keyset, type Page, type PageRequest } from '#platform';
import type { RuleSet } from '../domain/eligibility.js';
import { RuleSetRow } from '../applications-view/applications.projection.js';

export class ListRuleSets extends Query<Page<RuleSet>> {
  constructor(
    readonly missionId: string,
    readonly page: PageRequest,
  ) {
    super();
  }
}

const RULE_SETS_ORDER: Keyset<RuleSetRow> = {
  list: 'rule-sets',
  keys: [{ sql: 'r.rule_set_id', type: 'text', of: (row) => row.ruleSetId }],
};

@QueryHandler(ListRuleSets)
export class ListRuleSetsHandler implements IQueryHandler<ListRuleSets> {
  constructor(@InjectRepository(RuleSetRow) private readonly rows: Repository<RuleSetRow>) {}

  execute({ missionId, page }: ListRuleSets): Promise<Page<RuleSet>> {
    const query = this.rows.createQueryBuilder('r').where('r.mission_id = :missionId', { missionId });
    return readPage(query, RULE_SETS_ORDER, { missionId }, page, (rows) => rows.map((row) => row.ruleSet));
  }
}
