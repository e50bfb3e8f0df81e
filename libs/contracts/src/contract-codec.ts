/**
 * Command and query objects to and from the proto messages. A message is plain data: its own fields
 * travel as wire JSON and are put back on an object of the registered class, so any constructor
 * shape works (`new X(payload, context)`, `new Y(missionId, filter)`). Two fields travel typed:
 * a command's `context` and a query's `principal`. A context's `newId` is a function and cannot
 * travel: it travels as a seed from which the receiving end derives ids the same way — stable
 * across retries of a keyed request, random otherwise.
 */
import { randomUUID } from 'node:crypto';
import { nameBasedUuid, type CommandContext } from '#event-sourcing';
import { contractRegistry, type ContractKind, type ContractRegistry } from './contract-registry.js';
import type { CommandRequest, QueryRequest, WirePrincipal, WireWriteContext } from './wire-messages.js';
import { fromWireJson, toWireJson } from './wire-json.js';

const SEED_KIND = '$id-seed';

/** The context of a write: CommandContext, plus `newId` when it is the HTTP edge's WriteContext. */
type AnyWriteContext = CommandContext & { newId?: (kind: string) => string };

/** Mission roles as a Principal (Map of Sets) or as a snapshot (record of arrays) holds them. */
type AnyPrincipal = {
  readonly userId: string;
  readonly email: string;
  readonly platformRole?: string;
  readonly missionRoles:
    ReadonlyMap<string, ReadonlySet<string>> | Readonly<Record<string, readonly string[]>>;
};

export const encodeWriteContext = (context: AnyWriteContext): WireWriteContext => {
  const idSeed = context.newId?.(SEED_KIND);
  return {
    ...(context.commandId !== undefined && { commandId: context.commandId }),
    ...(context.missionId !== undefined && { missionId: context.missionId }),
    ...(context.actor && { actor: { userId: context.actor.userId, role: context.actor.role } }),
    ...(context.correlationId !== undefined && { correlationId: context.correlationId }),
    ...(context.causationId !== undefined && { causationId: context.causationId }),
    ...(idSeed !== undefined && { idSeed }),
    keyed: idSeed !== undefined && context.newId?.(SEED_KIND) === idSeed,
  };
};

export const decodeWriteContext = (wire: WireWriteContext): AnyWriteContext => {
  const { idSeed, keyed } = wire;
  return {
    ...(wire.commandId !== undefined && { commandId: wire.commandId }),
    ...(wire.missionId !== undefined && { missionId: wire.missionId }),
    ...(wire.actor && { actor: { userId: wire.actor.userId, role: wire.actor.role } }),
    ...(wire.correlationId !== undefined && { correlationId: wire.correlationId }),
    ...(wire.causationId !== undefined && { causationId: wire.causationId }),
    ...(idSeed !== undefined && {
      newId: keyed ? (kind: string) => nameBasedUuid(`${kind}\n${idSeed}`) : () => randomUUID(),
    }),
  };
};

export const encodePrincipal = (principal: AnyPrincipal): WirePrincipal => {
  const sets = principal.missionRoles instanceof Map;
  const entries: [string, Iterable<string>][] = sets
    ? [...(principal.missionRoles as ReadonlyMap<string, ReadonlySet<string>>)]
    : Object.entries(principal.missionRoles as Record<string, readonly string[]>);
  return {
    userId: principal.userId,
    email: principal.email,
    ...(principal.platformRole !== undefined && { platformRole: principal.platformRole }),
    missionRoles: Object.fromEntries(entries.map(([missionId, roles]) => [missionId, { roles: [...roles] }])),
    rolesAsSets: sets,
  };
};

export const decodePrincipal = (wire: WirePrincipal): AnyPrincipal => {
  const entries = Object.entries(wire.missionRoles ?? {}).map(
    ([missionId, { roles }]) => [missionId, roles ?? []] as const,
  );
  return {
    userId: wire.userId,
    email: wire.email,
    ...(wire.platformRole !== undefined && { platformRole: wire.platformRole }),
    missionRoles: wire.rolesAsSets
      ? new Map(entries.map(([missionId, roles]) => [missionId, new Set(roles)]))
      : Object.fromEntries(entries),
  };
};

/** The message's own fields except `typed`, which travels in its proto field when it is an object. */
const split = (message: object, typed: string): [Record<string, unknown>, object | undefined] => {
  const { [typed]: special, ...data } = message as Record<string, unknown>;
  if (special === undefined || special === null) return [data, undefined];
  if (typeof special !== 'object')
    throw new TypeError(`${message.constructor.name}.${typed} must be an object, not ${typeof special}`);
  return [data, special];
};

/** An object of the class with these fields, built without its constructor: messages are plain data. */
const rebuild = (
  type: new (...args: never[]) => object,
  fields: unknown,
  extra: Record<string, unknown>,
): object => Object.assign(Object.create(type.prototype) as object, fields as object, extra);

export const encodeCommand = (
  command: object,
  registry: ContractRegistry = contractRegistry,
): CommandRequest => {
  const contract = registry.contractOf(command);
  expectKind(contract.name, contract.kind, 'command');
  const [data, context] = split(command, 'context');
  return {
    name: contract.name,
    payloadJson: toWireJson(data),
    ...(context && { context: encodeWriteContext(context as AnyWriteContext) }),
  };
};

export const decodeCommand = (
  context: string,
  request: CommandRequest,
  registry: ContractRegistry = contractRegistry,
): object => {
  const { type } = registry.lookup(context, request.name, 'command');
  return rebuild(
    type,
    fromWireJson(request.payloadJson),
    request.context ? { context: decodeWriteContext(request.context) } : {},
  );
};

export const encodeQuery = (
  query: object,
  correlationId: string,
  registry: ContractRegistry = contractRegistry,
): QueryRequest => {
  const contract = registry.contractOf(query);
  expectKind(contract.name, contract.kind, 'query');
  const [data, principal] = split(query, 'principal');
  return {
    name: contract.name,
    payloadJson: toWireJson(data),
    ...(principal && { principal: encodePrincipal(principal as AnyPrincipal) }),
    correlationId,
  };
};

export const decodeQuery = (
  context: string,
  request: QueryRequest,
  registry: ContractRegistry = contractRegistry,
): object => {
  const { type } = registry.lookup(context, request.name, 'query');
  return rebuild(
    type,
    fromWireJson(request.payloadJson),
    request.principal ? { principal: decodePrincipal(request.principal) } : {},
  );
};

const expectKind = (name: string, actual: ContractKind, expected: ContractKind): void => {
  if (actual !== expected) throw new TypeError(`${name} is registered as a ${actual}, not a ${expected}`);
};
