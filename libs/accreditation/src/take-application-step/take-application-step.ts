/**
 * The secretariat's and the host body's steps that need nothing but what they say and who asks:
 * approve, reject, request accreditation, refuse, suspend, reinstate, revoke, expire.
 */
import { CommandHandler, type CommandContext, type CommandResult, type EventStore } from '#event-sourcing';
import { loadApplication } from '../application-stream.js';
import type { ApplicationCommand } from '../domain/application.commands.js';
import { applicationDecider } from '../domain/application.decide.js';
import { applicationStream } from '../identities.js';
import { actorOf } from '../command-context.js';

export type ApplicationStep =
  | { readonly type: 'ApproveApplication'; readonly reason?: string }
  | { readonly type: 'RejectApplication'; readonly reason: string }
  | { readonly type: 'RequestAccreditation'; readonly hostBody: string }
  | { readonly type: 'RefuseAccreditation'; readonly reason: string }
  | { readonly type: 'SuspendAccreditation'; readonly reason: string }
  | { readonly type: 'ReinstateAccreditation' }
  | { readonly type: 'RevokeAccreditation'; readonly reason: string }
  | { readonly type: 'ExpireAccreditation' };

export type TakeApplicationStep = {
  readonly missionId: string;
  readonly applicationId: string;
  readonly step: ApplicationStep;
  readonly at: string;
  readonly context: CommandContext;
};

/** The step as the decider takes it: with who asks and when (`now` for an expiry). */
const commandOf = (step: ApplicationStep, by: string, at: string): ApplicationCommand => {
  switch (step.type) {
    case 'ExpireAccreditation':
      return { type: step.type, now: at };
    case 'RefuseAccreditation':
      return { ...step, at };
    default:
      return { ...step, by, at };
  }
};

export const takeApplicationStep = async (
  store: EventStore,
  { missionId, applicationId, step, at, context }: TakeApplicationStep,
): Promise<CommandResult> => {
  await loadApplication(store, missionId, applicationId);
  return new CommandHandler(store, { now: () => new Date(at) }).handle(
    applicationDecider,
    applicationStream(applicationId),
    commandOf(step, actorOf(context), at),
    { ...context, missionId },
    // What the request said identifies it: a retry at another moment is the same request.
    { request: step },
  );
};
