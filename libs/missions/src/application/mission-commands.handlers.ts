/** One handler per mission command: each turns the plain command into the decider's and writes it. */
import { Inject, Injectable } from '@nestjs/common';
import { CommandHandler as HandlesCommand, type ICommandHandler } from '@nestjs/cqrs';
import { WriteReply } from '#auth';
import {
  CommandHandler,
  EVENT_STORE,
  NotFound,
  type CommandContext,
  type Decider,
  type EventStore,
} from '#event-sourcing';
import { missionStreamId, type Mission, type MissionEvent } from '../domain/mission.js';
import { missionDecider, type MissionCommand } from '../domain/mission.decide.js';
import {
  AddDelegation,
  CloseMission,
  GrantStaffRole,
  OpenMission,
  RemoveDelegation,
  WithdrawStaffRole,
} from './commands.js';

/** A mission never opened is not there: 404, not a broken rule, for anything but opening it. */
const existingMissions: Decider<Mission, MissionCommand, MissionEvent> = {
  ...missionDecider,
  decide: (command, state) => {
    if (command.type !== 'OpenMission' && state.status === 'not-opened')
      throw new NotFound('there is no such mission');
    return missionDecider.decide(command, state);
  },
};

@Injectable()
export class MissionStreams {
  private readonly commands: CommandHandler;

  constructor(@Inject(EVENT_STORE) store: EventStore) {
    this.commands = new CommandHandler(store);
  }

  async write(missionId: string, command: MissionCommand, context: CommandContext): Promise<WriteReply> {
    const result = await this.commands.handle(existingMissions, missionStreamId(missionId), command, {
      ...context,
      missionId,
    });
    return WriteReply.of(missionId, result);
  }
}

/** Who acts, as the write context says; the gateway always sends an actor. */
const actorOf = (context: CommandContext): string => context.actor?.userId ?? '';

@HandlesCommand(OpenMission)
export class OpenMissionHandler implements ICommandHandler<OpenMission, WriteReply> {
  constructor(private readonly missions: MissionStreams) {}
  execute({ payload, context }: OpenMission): Promise<WriteReply> {
    return this.missions.write(
      payload.missionId,
      { type: 'OpenMission', ...payload, openedBy: actorOf(context) },
      context,
    );
  }
}

@HandlesCommand(AddDelegation)
export class AddDelegationHandler implements ICommandHandler<AddDelegation, WriteReply> {
  constructor(private readonly missions: MissionStreams) {}
  execute({
    payload: { missionId, country, headOfDelegation },
    context,
  }: AddDelegation): Promise<WriteReply> {
    return this.missions.write(missionId, { type: 'AddDelegation', country, headOfDelegation }, context);
  }
}

@HandlesCommand(RemoveDelegation)
export class RemoveDelegationHandler implements ICommandHandler<RemoveDelegation, WriteReply> {
  constructor(private readonly missions: MissionStreams) {}
  execute({ payload: { missionId, country }, context }: RemoveDelegation): Promise<WriteReply> {
    return this.missions.write(missionId, { type: 'RemoveDelegation', country }, context);
  }
}

@HandlesCommand(GrantStaffRole)
export class GrantStaffRoleHandler implements ICommandHandler<GrantStaffRole, WriteReply> {
  constructor(private readonly missions: MissionStreams) {}
  execute({ payload: { missionId, userId, role }, context }: GrantStaffRole): Promise<WriteReply> {
    return this.missions.write(missionId, { type: 'GrantStaffRole', userId, role }, context);
  }
}

@HandlesCommand(WithdrawStaffRole)
export class WithdrawStaffRoleHandler implements ICommandHandler<WithdrawStaffRole, WriteReply> {
  constructor(private readonly missions: MissionStreams) {}
  execute({ payload: { missionId, userId, role }, context }: WithdrawStaffRole): Promise<WriteReply> {
    return this.missions.write(missionId, { type: 'WithdrawStaffRole', userId, role }, context);
  }
}

@HandlesCommand(CloseMission)
export class CloseMissionHandler implements ICommandHandler<CloseMission, WriteReply> {
  constructor(private readonly missions: MissionStreams) {}
  execute({ payload: { missionId, reason }, context }: CloseMission): Promise<WriteReply> {
    return this.missions.write(
      missionId,
      { type: 'CloseMission', by: actorOf(context), ...(reason !== undefined && { reason }) },
      context,
    );
  }
}

export const MISSION_COMMAND_HANDLERS = [
  OpenMissionHandler,
  AddDelegationHandler,
  RemoveDelegationHandler,
  GrantStaffRoleHandler,
  WithdrawStaffRoleHandler,
  CloseMissionHandler,
];
