/**
 * The write path every mission use case takes: load the mission's stream, decide, append, as the actor,
 * at the time and for the mission the command came with (its CommandContext). A retried command (same
 * command id) appends nothing and answers what it wrote the first time (libs/event-sourcing CommandHandler).
 */
import { CommandHandler, NotFound, type Decider, type EventStore } from '#event-sourcing';
import { ValidationFailed } from '#platform';
import type { CommandContext } from '#proto/observa/common/v1/calls';
import { missionStreamId, type Mission, type MissionEvent } from './domain/mission.js';
import { missionDecider, type MissionCommand } from './domain/mission.decide.js';

/** What every mission command answers (its rpc's reply message). */
export type MissionWritten = {
  readonly id: string;
  readonly streamVersion: string;
  readonly eventIds: string[];
  readonly appended: boolean;
};

/** A command's context, checked: the edge always sends a mission, an actor and a time. */
export type MissionCommandContext = CommandContext & {
  readonly missionId: string;
  readonly actor: NonNullable<CommandContext['actor']>;
};

/** @throws ValidationFailed when the context lacks what every mission command needs */
export const missionContextOf = (context: CommandContext | undefined): MissionCommandContext => {
  const missing = [
    ...(context?.missionId ? [] : ['context.missionId']),
    ...(context?.actor?.userId ? [] : ['context.actor']),
    ...(context?.commandId ? [] : ['context.commandId']),
    ...(context && !Number.isNaN(Date.parse(context.occurredAt)) ? [] : ['context.occurredAt']),
  ];
  if (missing.length > 0 || !context)
    throw new ValidationFailed(missing.map((field) => ({ field, message: `${field} is required` })));
  return context as MissionCommandContext;
};

/** A mission never opened is not there: 404, not a broken rule, for anything but opening it. */
const openedMission: Decider<Mission, MissionCommand, MissionEvent> = {
  ...missionDecider,
  decide: (command, state) => {
    if (state.status === 'not-opened') throw new NotFound('there is no such mission');
    return missionDecider.decide(command, state);
  },
};

export const writeMission = async (
  store: EventStore,
  context: MissionCommandContext,
  command: MissionCommand,
): Promise<MissionWritten> => {
  const { missionId, commandId, actor, correlationId, causationId } = context;
  const occurredAt = new Date(context.occurredAt);
  const handler = new CommandHandler(store, { now: () => occurredAt });
  const result = await handler.handle(
    command.type === 'OpenMission' ? missionDecider : openedMission,
    missionStreamId(missionId),
    command,
    {
      commandId,
      missionId,
      actor: { userId: actor.userId, role: actor.role },
      ...(correlationId && { correlationId }),
      ...(causationId && { causationId }),
    },
  );
  return {
    id: missionId,
    streamVersion: result.streamVersion.toString(),
    eventIds: [...result.eventIds],
    appended: result.appended,
  };
};
