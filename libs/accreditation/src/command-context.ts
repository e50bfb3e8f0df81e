/** The request context a command of the context carries, and who asked. */
import { checkedCommandContext, storeContextOf } from '#contracts';
import type { CommandContext } from '#event-sourcing';
import type { CommandContext as CommandContextMessage } from '#proto/observa/common/v1/calls';

/** Who asked, as the events name them. */
export const actorOf = (context: CommandContext): string => context.actor?.userId ?? 'unknown';

/** A command's context as its rpc carries it, with its mission: what the use cases take. @throws ValidationFailed without a mission, actor or command id */
export const commandContextOf = (
  message: CommandContextMessage | undefined,
): CommandContext & { readonly missionId: string } => storeContextOf(checkedCommandContext(message));
