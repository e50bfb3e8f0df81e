/**
 * A mission's rule set as a stream of published versions (`ruleset-<uuid>`): each version is a new
 * event, so a screening names the version it applied and a change re-screens nobody silently.
 */
import { canonicalJson, DomainRuleBroken, type Decider } from '#event-sourcing';
import type { RuleSet } from './eligibility.js';
import { validateRuleSet } from './eligibility.validate.js';

export type RuleSetPublished = {
  readonly type: 'RuleSetPublished';
  readonly data: { readonly ruleSet: RuleSet; readonly at: string };
};
export type PublishRuleSetVersion = {
  readonly type: 'PublishRuleSetVersion';
  readonly ruleSet: RuleSet;
  readonly at: string;
};

/** The latest published version, or null. */
export type RuleSetState = RuleSet | null;

export const ruleSetDecider: Decider<RuleSetState, PublishRuleSetVersion, RuleSetPublished> = {
  initialState: () => null,
  evolve: (_state, event) => event.data.ruleSet,
  decide: (command, state) => {
    const problems = validateRuleSet(command.ruleSet);
    if (problems.length > 0)
      throw new DomainRuleBroken(
        `rule set has problems: ${problems.map((p) => `${p.at}: ${p.problem}`).join('; ')}`,
      );
    if (state && command.ruleSet.version <= state.version) {
      // The same version with the same rules is a retry; anything else would rewrite what screenings rest on.
      if (
        command.ruleSet.version === state.version &&
        canonicalJson(command.ruleSet) === canonicalJson(state)
      )
        return [];
      throw new DomainRuleBroken(
        `rule set ${state.id} is at version ${state.version}: a change is published as version ${state.version + 1}`,
      );
    }
    return [{ type: 'RuleSetPublished', data: { ruleSet: command.ruleSet, at: command.at } }];
  },
};
