/**
 * What the accreditation context can be asked to do, as plain data: the HTTP controllers send these on
 * the CommandBus, and the gRPC bridge can serialize them unchanged (ids are resolved before sending, the
 * request's context travels without its functions).
 */
import { Command } from '@nestjs/cqrs';
import type { CommandContext } from '#event-sourcing';
import type { PersonalData } from '../domain/application.js';
import type { ObserverRole } from '../domain/application.js';

/** The answer to every write: what was written (WriteReply's shape, as JSON). */
export type WriteResult = {
  readonly id: string;
  readonly streamVersion: string;
  readonly eventIds: string[];
  readonly appended: boolean;
};

/** The write context of a request without `newId`: what a command carries of who, where and why. */
export const plainContext = (context: CommandContext): CommandContext => ({
  ...(context.commandId !== undefined && { commandId: context.commandId }),
  ...(context.missionId !== undefined && { missionId: context.missionId }),
  ...(context.actor && { actor: { ...context.actor } }),
  ...(context.correlationId !== undefined && { correlationId: context.correlationId }),
  ...(context.causationId !== undefined && { causationId: context.causationId }),
});

abstract class AccreditationCommand<Payload, Result = WriteResult> extends Command<Result> {
  constructor(
    readonly payload: Payload,
    readonly context: CommandContext,
  ) {
    super();
  }
}

/** `ruleSet` is data as the secretariat sent it; it is validated before anything is written. */
export class PublishRuleSet extends AccreditationCommand<{
  readonly missionId: string;
  readonly ruleSet: unknown;
}> {}

export class SubmitApplicationCommand extends AccreditationCommand<{
  readonly missionId: string;
  readonly delegation: string;
  readonly role: ObserverRole;
  /** Plaintext here; sealed with the person's key before it is written. */
  readonly person: PersonalData;
}> {}

export class ScreenApplication extends AccreditationCommand<{
  readonly missionId: string;
  readonly applicationId: string;
  readonly ruleSetId: string;
}> {}

/** The secretariat's and the host body's steps that need nothing but what they say. */
export type ApplicationStep =
  | { readonly type: 'ApproveApplication'; readonly reason?: string }
  | { readonly type: 'RejectApplication'; readonly reason: string }
  | { readonly type: 'RequestAccreditation'; readonly hostBody: string }
  | { readonly type: 'RefuseAccreditation'; readonly reason: string }
  | { readonly type: 'SuspendAccreditation'; readonly reason: string }
  | { readonly type: 'ReinstateAccreditation' }
  | { readonly type: 'RevokeAccreditation'; readonly reason: string }
  | { readonly type: 'ExpireAccreditation' };

export class TakeApplicationStep extends AccreditationCommand<{
  readonly missionId: string;
  readonly applicationId: string;
  readonly step: ApplicationStep;
}> {}

export class GrantAccreditationCommand extends AccreditationCommand<{
  readonly missionId: string;
  readonly applicationId: string;
  readonly badgeNumber: string;
  readonly validFrom: string;
  readonly validTo: string;
  readonly conditions: string[];
}> {}

export class ErasePersonCommand extends AccreditationCommand<{
  readonly missionId: string;
  readonly personId: string;
}> {}

export type ImportFormat = 'csv' | 'xlsx';
export type ImportRowReport = {
  /** The row's number in the sheet: the header is row 1. */
  readonly row: number;
  readonly status: 'created' | 'unchanged' | 'refused';
  readonly applicationId?: string;
  readonly errors: { readonly field: string; readonly message: string }[];
};
export type ImportReport = {
  readonly created: number;
  readonly unchanged: number;
  readonly refused: number;
  readonly rows: ImportRowReport[];
};

/** An import as it runs: queued, running (rows done of the total), done with its report, or failed with why. */
export type ImportJobView = {
  readonly id: string;
  readonly missionId: string;
  readonly state: 'queued' | 'running' | 'done' | 'failed';
  readonly progress: { readonly done: number; readonly total: number };
  /** Once done. */
  readonly report: ImportReport | null;
  /** Once failed. */
  readonly reason: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
};

/**
 * Reads the file within the roster's limits (refusing it whole at once if it goes past one or holds
 * what storage cannot) and queues a job for its rows; answers the job. The job's id derives from the
 * command's, so the same request (same Idempotency-Key) answers the same job.
 */
export class ImportApplications extends AccreditationCommand<
  {
    readonly missionId: string;
    readonly format: ImportFormat;
    /** The file, base64. */
    readonly content: string;
  },
  ImportJobView
> {}
