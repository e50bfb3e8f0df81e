/** The answer to every write of the context (WriteReply's shape, as JSON), and the request context a command carries. */
import type { CommandContext, CommandResult } from '#event-sourcing';
import { ValidationFailed } from '#platform';
import type { CommandContext as CommandContextMessage } from '#proto/observa/common/v1/calls';

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

/** Who asked, as the events name them. */
export const actorOf = (context: CommandContext): string => context.actor?.userId ?? 'unknown';

/** A command's context as its rpc carries it, with its mission: what the use cases take. @throws ValidationFailed without a mission, actor or command id */
export const commandContextOf = (
  message: CommandContextMessage | undefined,
): CommandContext & { readonly missionId: string } => {
  const missing = [
    ...(message?.missionId ? [] : ['context.missionId']),
    ...(message?.actor?.userId ? [] : ['context.actor']),
    ...(message?.commandId ? [] : ['context.commandId']),
  ];
  if (missing.length > 0 || !message?.missionId)
    throw new ValidationFailed(missing.map((field) => ({ field, message: `${field} is required` })));
  return {
    commandId: message.commandId,
    missionId: message.missionId,
    ...(message.actor && { actor: { userId: message.actor.userId, role: message.actor.role } }),
    ...(message.correlationId && { correlationId: message.correlationId }),
    ...(message.causationId && { causationId: message.causationId }),
  };
};
