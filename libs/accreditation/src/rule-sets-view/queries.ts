/** The query of the rule sets view (ListRuleSets): each rule set at its latest version, by id. */
import type { Repository } from 'typeorm';
import { readPage, type Keyset } from '#platform';
import type {
  ListRuleSetsRequest,
  ListRuleSetsResponse,
} from '#proto/observa/accreditation/v1/accreditation';
import { pageRequestFrom } from '../applications-view/application.message.js';
import { RuleSetRow } from '../applications-view/applications.projection.js';

const RULE_SETS_ORDER: Keyset<RuleSetRow> = {
  list: 'rule-sets',
  keys: [{ sql: 'r.rule_set_id', type: 'text', of: (row) => row.ruleSetId }],
};

export const listRuleSets = async (
  rows: Repository<RuleSetRow>,
  { missionId, page }: ListRuleSetsRequest,
): Promise<ListRuleSetsResponse> => {
  const query = rows.createQueryBuilder('r').where('r.mission_id = :missionId', { missionId });
  const read = await readPage(query, RULE_SETS_ORDER, { missionId }, pageRequestFrom(page), (found) =>
    found.map((row) => row.ruleSet),
  );
  return {
    ruleSetsJson: read.items.map((ruleSet) => JSON.stringify(ruleSet)),
    ...(read.nextCursor !== null && { nextCursor: read.nextCursor }),
  };
};
