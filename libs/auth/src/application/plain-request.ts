/**
 * What a command or query carries of the HTTP request: plain data that crosses gRPC unchanged
 * (the gateway serializes it; the context rebuilds nothing but reads it as it is).
 */
import type { CommandContext } from '#event-sourcing';
import type { MissionRole, PlatformRole, Principal } from '../domain/roles.js';
import type { WriteContext } from '../write-context.js';

/** The write context without its `newId`: resolve the ids a command needs before sending it. */
export const commandContextOf = (write: WriteContext, missionId = write.missionId): CommandContext => ({
  commandId: write.commandId,
  ...(missionId !== undefined && { missionId }),
  ...(write.actor && { actor: { ...write.actor } }),
  ...(write.correlationId !== undefined && { correlationId: write.correlationId }),
  ...(write.causationId !== undefined && { causationId: write.causationId }),
});

/** A principal as JSON: its mission roles as a record of arrays instead of a map of sets. */
export type PrincipalSnapshot = {
  readonly userId: string;
  readonly email: string;
  readonly platformRole?: PlatformRole;
  readonly missionRoles: Readonly<Record<string, readonly MissionRole[]>>;
};

export const snapshotOf = (principal: Principal): PrincipalSnapshot => ({
  userId: principal.userId,
  email: principal.email,
  ...(principal.platformRole && { platformRole: principal.platformRole }),
  missionRoles: Object.fromEntries(
    [...principal.missionRoles].map(([missionId, roles]) => [missionId, [...roles].sort()]),
  ),
});

export const principalOf = (snapshot: PrincipalSnapshot): Principal => ({
  userId: snapshot.userId,
  email: snapshot.email,
  ...(snapshot.platformRole && { platformRole: snapshot.platformRole }),
  missionRoles: new Map(
    Object.entries(snapshot.missionRoles).map(([missionId, roles]) => [missionId, new Set(roles)]),
  ),
});
