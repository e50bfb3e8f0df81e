/**
 * A context's typed rpcs as its HTTP routes call them (one interface, two bindings): `Promised<XServiceController>`
 * is the generated controller interface of proto/observa/<context>/v1, request in, Promise of the reply
 * out. Standalone binds it to the context's use cases in the process; the gateway binds it to the gRPC
 * client (RemoteContext.service). And what every route puts in a request: the write context of a
 * command, the caller of a query, the page asked for; and what it answers for a write.
 */
import { WriteReply, type Principal, type WriteContext } from '#auth';
import type { CommandContext as StoreCommandContext, CommandResult } from '#event-sourcing';
import { ValidationFailed, type PageRequest } from '#platform';
import type {
  CommandContext,
  QueryContext,
  PageRequest as PageMessage,
} from '#proto/observa/common/v1/calls';

/** The generated controller interface, as the routes call it: the request alone, a Promise of the reply. */
export type Promised<Controller> = {
  readonly [Rpc in keyof Controller]: Controller[Rpc] extends (
    request: infer Request,
    ...rest: never[]
  ) => infer Reply
    ? (request: Request) => Promise<Awaited<Exclude<Reply, { subscribe: unknown }>>>
    : never;
};

/** A write's reply message (every command answers these four fields). */
export type WriteReceipt = {
  readonly id: string;
  readonly streamVersion: string;
  readonly eventIds: string[];
  readonly appended: boolean;
};

/** A write's reply message from what the store's command handler answered. */
export const receiptOf = (id: string, result: CommandResult): WriteReceipt => ({
  id,
  streamVersion: result.streamVersion.toString(),
  eventIds: [...result.eventIds],
  appended: result.appended,
});

/** A command's context as its rpc carries it, checked: the edge always sends a mission, an actor and a command id. */
export type CheckedCommandContext = CommandContext & {
  readonly missionId: string;
  readonly actor: NonNullable<CommandContext['actor']>;
};

/**
 * The context side of commandContextMessageOf: what a use case may rely on, or 400 naming what is
 * missing (a client of the gRPC service that is not our edge).
 * @throws ValidationFailed
 */
export const checkedCommandContext = (
  context: CommandContext | undefined,
  { withTime = false }: { readonly withTime?: boolean } = {},
): CheckedCommandContext => {
  const missing = [
    ...(context?.missionId ? [] : ['context.missionId']),
    ...(context?.actor?.userId ? [] : ['context.actor']),
    ...(context?.commandId ? [] : ['context.commandId']),
    ...(!withTime || (context && !Number.isNaN(Date.parse(context.occurredAt)))
      ? []
      : ['context.occurredAt']),
  ];
  if (missing.length > 0 || !context)
    throw new ValidationFailed(missing.map((field) => ({ field, message: `${field} is required` })));
  return context as CheckedCommandContext;
};

/** The store's command context (event metadata) of a checked one. */
export const storeContextOf = (
  context: CheckedCommandContext,
): StoreCommandContext & { readonly missionId: string } => ({
  commandId: context.commandId,
  missionId: context.missionId,
  actor: { userId: context.actor.userId, role: context.actor.role },
  ...(context.correlationId && { correlationId: context.correlationId }),
  ...(context.causationId && { causationId: context.causationId }),
});

/** The command's context from the request's write context; the time is now, the mission the route's or `missionId`. */
export const commandContextMessageOf = (
  write: WriteContext,
  missionId: string | undefined = write.missionId,
  now: Date = new Date(),
): CommandContext => ({
  commandId: write.commandId,
  ...(missionId !== undefined && { missionId }),
  ...(write.actor && { actor: { userId: write.actor.userId, role: write.actor.role } }),
  correlationId: write.correlationId ?? write.commandId,
  causationId: write.causationId ?? write.commandId,
  occurredAt: now.toISOString(),
});

export const queryContextMessageOf = (principal: Principal, correlationId: string): QueryContext => ({
  principal: {
    userId: principal.userId,
    email: principal.email,
    ...(principal.platformRole && { platformRole: principal.platformRole }),
    missionRoles: Object.fromEntries(
      [...principal.missionRoles].map(([missionId, roles]) => [missionId, { roles: [...roles].sort() }]),
    ),
    rolesAsSets: false,
  },
  correlationId,
});

export const pageMessageOf = (page: PageRequest): PageMessage => ({
  limit: page.limit,
  ...(page.cursor !== null && { cursor: page.cursor }),
});

/** The HTTP answer to a write, fields in the order standalone always answered them. */
export const writeReplyOf = (receipt: WriteReceipt): WriteReply =>
  Object.assign(new WriteReply(), {
    id: receipt.id,
    streamVersion: String(receipt.streamVersion),
    eventIds: [...(receipt.eventIds ?? [])],
    appended: receipt.appended,
  });
