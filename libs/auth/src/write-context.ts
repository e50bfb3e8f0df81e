/**
 * What every write carries from the HTTP request into the command (DESIGN.md §6-7): who acts and in
 * which role, the mission, the correlation id, and the command id. With an `Idempotency-Key`, the
 * command id — and the id of anything the command creates — derive from the caller and the key, so a
 * retried request lands on the same stream and appends nothing. The key itself is checked before this
 * runs (idempotency/idempotent-writes.ts): the same key with another request is refused there (409),
 * the same request answered again from the key's record.
 */
import { randomUUID } from 'node:crypto';
import { BadRequestException, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { ApiHeader, ApiProperty } from '@nestjs/swagger';
import type { Request } from 'express';
import { currentCorrelationId } from '#platform';
import { MISSION_ROLES_METADATA } from './auth.decorators.js';
import type { MissionRole, Principal } from './domain/roles.js';
import { nameBasedUuid, type CommandContext, type CommandResult } from '#event-sourcing';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';

/** The Idempotency-Key header of a write, in the OpenAPI document. */
export const ApiIdempotencyKey = (): MethodDecorator & ClassDecorator =>
  ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      'kept with the request it was first used for: the same request again gets the first answer ' +
      '(header Idempotent-Replayed: true) and writes nothing; another request with the key gets 409',
  });
const KEY_FORMAT = /^[\x21-\x7e]{1,200}$/;

export type WriteContext = CommandContext & {
  readonly commandId: string;
  /** The id for something this request creates: stable across retries with the same key. */
  newId(kind: string): string;
};

/** The role the caller acts in: the first of the route's allowed roles that the caller holds. */
const actingRole = (
  principal: Principal,
  missionId: string | undefined,
  allowed: MissionRole[] | undefined,
) => {
  if (principal.platformRole === 'admin') return 'admin';
  const held = missionId ? principal.missionRoles.get(missionId) : undefined;
  return allowed?.find((role) => held?.has(role)) ?? 'user';
};

/** The request's Idempotency-Key, if it has one. @throws BadRequestException when it is malformed */
export const idempotencyKeyOf = (request: Pick<Request, 'headers'>): string | undefined => {
  const header = request.headers[IDEMPOTENCY_KEY_HEADER];
  const key = Array.isArray(header) ? header[0] : header;
  if (key !== undefined && !KEY_FORMAT.test(key))
    throw new BadRequestException('Idempotency-Key must be 1 to 200 visible ASCII characters');
  return key;
};

export const writeContextOf = (
  request: Request,
  principal: Principal,
  allowed?: MissionRole[],
): WriteContext => {
  const key = idempotencyKeyOf(request);
  const missionId = typeof request.params?.missionId === 'string' ? request.params.missionId : undefined;
  const scope =
    key === undefined
      ? undefined
      : `${principal.userId}\n${request.method} ${request.route?.path ?? request.path}\n${key}`;
  const commandId = scope ? nameBasedUuid(`command\n${scope}`) : randomUUID();
  return {
    commandId,
    missionId,
    actor: { userId: principal.userId, role: actingRole(principal, missionId, allowed) },
    correlationId: currentCorrelationId() ?? commandId,
    causationId: commandId,
    newId: (kind) => (scope ? nameBasedUuid(`${kind}\n${scope}`) : randomUUID()),
  };
};

/** The write context of the current request; the route must be behind the auth guard. */
export const Write = createParamDecorator((_: unknown, context: ExecutionContext): WriteContext => {
  const request = context.switchToHttp().getRequest<Request & { principal?: Principal }>();
  if (!request.principal) throw new Error('@Write() used on a route without an authenticated principal');
  const allowed =
    (Reflect.getMetadata(MISSION_ROLES_METADATA, context.getHandler()) as MissionRole[] | undefined) ??
    (Reflect.getMetadata(MISSION_ROLES_METADATA, context.getClass()) as MissionRole[] | undefined);
  return writeContextOf(request, request.principal, allowed);
});

/** The answer to every write: what was written, so a client can follow up or retry safely. */
export class WriteReply {
  @ApiProperty({ description: 'id of the resource written' }) readonly id!: string;
  @ApiProperty({ description: 'version of its stream after the write (0-based)' })
  readonly streamVersion!: string;
  @ApiProperty({ type: [String] }) readonly eventIds!: string[];
  @ApiProperty({ description: 'false when a retry found the write already done' })
  readonly appended!: boolean;

  static of(id: string, result: CommandResult): WriteReply {
    return Object.assign(new WriteReply(), {
      id,
      streamVersion: result.streamVersion.toString(),
      eventIds: [...result.eventIds],
      appended: result.appended,
    });
  }
}
