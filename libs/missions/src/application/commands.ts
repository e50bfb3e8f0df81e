/**
 * The missions context's commands as the gateway sends them (in-process, or over gRPC by class name):
 * plain data, JSON as it stands. Ids are resolved by the sender; `context` is the write context
 * without its functions.
 */
import { Command } from '@nestjs/cqrs';
import type { CommandContext } from '#event-sourcing';
import type { WriteReply } from '#auth';
import type { ElectionKind, StaffRole } from '../domain/mission.js';

export type OpenMissionPayload = {
  readonly missionId: string;
  readonly name: string;
  readonly organisation: string;
  readonly hostCountry: string;
  readonly election: { readonly kind: ElectionKind; readonly date: string; readonly rounds: number };
};

export class OpenMission extends Command<WriteReply> {
  constructor(
    readonly payload: OpenMissionPayload,
    readonly context: CommandContext,
  ) {
    super();
  }
}

export class AddDelegation extends Command<WriteReply> {
  constructor(
    readonly payload: {
      readonly missionId: string;
      readonly country: string;
      readonly headOfDelegation: string;
    },
    readonly context: CommandContext,
  ) {
    super();
  }
}

export class RemoveDelegation extends Command<WriteReply> {
  constructor(
    readonly payload: { readonly missionId: string; readonly country: string },
    readonly context: CommandContext,
  ) {
    super();
  }
}

export class GrantStaffRole extends Command<WriteReply> {
  constructor(
    readonly payload: { readonly missionId: string; readonly userId: string; readonly role: StaffRole },
    readonly context: CommandContext,
  ) {
    super();
  }
}

export class WithdrawStaffRole extends Command<WriteReply> {
  constructor(
    readonly payload: { readonly missionId: string; readonly userId: string; readonly role: StaffRole },
    readonly context: CommandContext,
  ) {
    super();
  }
}

export class CloseMission extends Command<WriteReply> {
  constructor(
    readonly payload: { readonly missionId: string; readonly reason?: string },
    readonly context: CommandContext,
  ) {
    super();
  }
}
