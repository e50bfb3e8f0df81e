/**
 * Publish a version of a mission's rule set: the secretariat's data is validated (every problem named,
 * by where it is) before anything is written; the same version with the same rules is a retry.
 */
import { CommandHandler, type CommandContext, type CommandResult, type EventStore } from '#event-sourcing';
import type { RuleSet } from '../domain/eligibility.js';
import { validateRuleSet } from '../domain/eligibility.validate.js';
import { ruleSetDecider } from '../domain/rule-set.js';
import { ruleSetStream } from '../identities.js';

/** Rule set problems, named by where they are: the edge answers 400 with each of them. */
export class InvalidRuleSet extends Error {
  override readonly name = 'InvalidRuleSet';
  constructor(readonly problems: readonly { at: string; problem: string }[]) {
    super(
      `the rule set has problems: ${problems.map((p) => `${p.at || '(rule set)'}: ${p.problem}`).join('; ')}`,
    );
  }
}

export type PublishRuleSetVersion = {
  readonly missionId: string;
  /** As the secretariat sent it; a missing missionId is the mission's. */
  readonly ruleSet: unknown;
  readonly at: string;
  readonly context: CommandContext;
};

/** The candidate is a rule set when validating it found no problem. */
const isRuleSet = (_candidate: unknown, problems: readonly unknown[]): _candidate is RuleSet =>
  problems.length === 0;

export const publishRuleSet = async (
  store: EventStore,
  { missionId, ruleSet: sent, at, context }: PublishRuleSetVersion,
): Promise<{ ruleSetId: string; result: CommandResult }> => {
  const ruleSet =
    typeof sent === 'object' &&
    sent !== null &&
    !Array.isArray(sent) &&
    ('missionId' in sent ? sent.missionId : undefined) === undefined
      ? { ...sent, missionId }
      : sent;
  const problems = validateRuleSet(ruleSet);
  if (!isRuleSet(ruleSet, problems)) throw new InvalidRuleSet(problems);
  if (ruleSet.missionId !== missionId)
    throw new InvalidRuleSet([{ at: 'missionId', problem: `must be this mission (${missionId})` }]);
  // What identifies the request: without the time, so that a retry at another moment is the same one.
  const request = { type: 'PublishRuleSetVersion', ruleSet };
  const result = await new CommandHandler(store, { now: () => new Date(at) }).handle(
    ruleSetDecider,
    ruleSetStream(missionId, ruleSet.id),
    { type: 'PublishRuleSetVersion', ruleSet, at },
    context,
    { request },
  );
  return { ruleSetId: ruleSet.id, result };
};
