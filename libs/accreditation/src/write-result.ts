/** The answer to every write of the context (WriteReply's shape, as JSON), and the request context a command carries. */
import type { CommandContext, CommandResult } from '#event-sourcing';

export type WriteResult = {
  readonly id: string;
  readonly streamVersion: string;
  readonly eventIds: string[];
  readonly appended: boolean;
};

export const writeResultOf = (id: string, result: CommandResult): WriteResult => ({
  id,
  streamVersion: result.streamVersion.toString(),
  eventIds: [...result.eventIds],
  appended: result.appended,
});

/** The write context of a request without `newId`: what a command carries of who, where and why. */
export const plainContext = (context: CommandContext): CommandContext => ({
  ...(context.commandId !== undefined && { commandId: context.commandId }),
  ...(context.missionId !== undefined && { missionId: context.missionId }),
  ...(context.actor && { actor: { ...context.actor } }),
  ...(context.correlationId !== undefined && { correlationId: context.correlationId }),
  ...(context.causationId !== undefined && { causationId: context.causationId }),
});

/** Who asked, as the events name them. */
export const actorOf = (context: CommandContext): string => context.actor?.userId ?? 'unknown';
