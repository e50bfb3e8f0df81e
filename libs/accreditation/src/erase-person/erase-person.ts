/**
 * Erase a person from a mission: each of their applications forgets them (refused while an
 * accreditation is in force), then their key is destroyed, so no copy of their data can be read again.
 */
import {
  CommandHandler,
  NotFound,
  type CommandContext,
  type CommandResult,
  type EventStore,
  type PersonalDataVault,
} from '#event-sourcing';
import { loadApplication } from '../application-stream.js';
import { applicationDecider, decide } from '../domain/application.decide.js';
import { applicationStream } from '../identities.js';
import { actorOf } from '../command-context.js';

export type ErasePerson = {
  readonly missionId: string;
  readonly personId: string;
  /** The person's applications in the mission, as the applications view lists them. */
  readonly applicationIds: readonly string[];
  readonly at: string;
  readonly context: CommandContext;
};

export const erasePerson = async (
  store: EventStore,
  vault: PersonalDataVault,
  { missionId, personId, applicationIds, at, context }: ErasePerson,
): Promise<{ results: CommandResult[]; erasedAt: Date }> => {
  const by = actorOf(context);
  const applications = await Promise.all(applicationIds.map((id) => loadApplication(store, missionId, id)));
  for (const { state } of applications)
    if (state.personId !== personId) throw new NotFound(`there is no person ${personId} in this mission`);
  // Every application must accept the erasure before any is written: none may be left half forgotten.
  for (const { state } of applications) decide({ type: 'ErasePerson', by, at }, state);
  const commands = new CommandHandler(store, { now: () => new Date(at) });
  const results: CommandResult[] = [];
  for (const applicationId of applicationIds)
    results.push(
      await commands.handle(
        applicationDecider,
        applicationStream(applicationId),
        { type: 'ErasePerson', by, at },
        { ...context, missionId },
        { request: { type: 'ErasePerson' } },
      ),
    );
  const { erasedAt } = await vault.erase(personId);
  return { results, erasedAt };
};
