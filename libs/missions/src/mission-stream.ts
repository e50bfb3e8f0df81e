/**
 * The write path every mission use case takes: load the mission's stream, decide, append, as the actor,
 * at the time and for the mission the command came with (its CommandContext). A retried command (same
 * command id) appends nothing and answers what it wrote the first time (libs/event-sourcing CommandHandler).
 */
import { CommandHandler, NotFound, type Decider, type EventStore } from '#event-sourcing';
import {
  checkedCommandContext,
  receiptOf,
  storeContextOf,
  type CheckedCommandContext,
  type WriteReceipt,
} from '#contracts';
import type { CommandContext } from '#proto/observa/common/v1/calls';
import { missionStreamId, type Mission, type MissionEvent } from './domain/mission.js';
import { missionDecider, type MissionCommand } from './domain/mission.decide.js';

/** A command's context, checked: the edge always sends a mission, an actor and a time. */
export type MissionCommandContext = CheckedCommandContext;

/** @throws ValidationFailed when the context lacks what every mission command needs */
export const missionContextOf = (context: CommandContext | undefined): MissionCommandContext =>
  checkedCommandContext(context, { withTime: true });

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
): Promise<WriteReceipt> => {
  const occurredAt = new Date(context.occurredAt);
  const handler = new CommandHandler(store, { now: () => occurredAt });
  const result = await handler.handle(
    command.type === 'OpenMission' ? missionDecider : openedMission,
    missionStreamId(context.missionId),
    command,
    storeContextOf(context),
  );
  return receiptOf(context.missionId, result);
};
