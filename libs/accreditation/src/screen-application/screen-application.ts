/**
 * Screen an application against the mission's rule set (its latest version): the person is opened
 * only to take the facts the rules read; the result names every rule that failed.
 */
import {
  CommandHandler,
  DomainRuleBroken,
  isSealed,
  loadStream,
  NotFound,
  type CommandContext,
  type CommandResult,
  type EventStore,
  type PersonalDataVault,
} from '#event-sourcing';
import { loadApplication } from '../application-stream.js';
import { applicantFacts, type PersonalData } from '../domain/application.js';
import { applicationDecider } from '../domain/application.decide.js';
import { ruleSetDecider } from '../domain/rule-set.js';
import { applicationStream, ruleSetStream } from '../identities.js';

export type ScreenApplication = {
  readonly missionId: string;
  readonly applicationId: string;
  readonly ruleSetId: string;
  readonly at: string;
  readonly context: CommandContext;
};

export const screenApplication = async (
  store: EventStore,
  vault: PersonalDataVault,
  { missionId, applicationId, ruleSetId, at, context }: ScreenApplication,
): Promise<CommandResult> => {
  const { events } = await loadApplication(store, missionId, applicationId);
  const { state: ruleSet } = await loadStream(store, ruleSetDecider, ruleSetStream(missionId, ruleSetId));
  if (!ruleSet) throw new NotFound(`there is no rule set ${ruleSetId} in this mission`);
  const sealed = events.find((e) => e.type === 'ApplicationSubmitted')?.data.person;
  const person = isSealed(sealed) ? await vault.decrypt<PersonalData>(sealed) : null;
  if (!person)
    throw new DomainRuleBroken(`the person of application ${applicationId} was erased: it can go no further`);
  const request = {
    type: 'ScreenEligibility',
    ruleSetId: ruleSet.id,
    ruleSetVersion: ruleSet.version,
  } as const;
  return new CommandHandler(store, { now: () => new Date(at) }).handle(
    applicationDecider,
    applicationStream(applicationId),
    { type: 'ScreenEligibility', ruleSet, facts: applicantFacts(person), at },
    { ...context, missionId },
    { request },
  );
};
