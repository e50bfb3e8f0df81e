/** How a route says who may call it. Without any of these, any authenticated user may. */
import { applyDecorators, createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import { ApiPublic } from '#platform';
import type { MissionRole, Principal } from './domain/roles.js';

export const PUBLIC_METADATA = 'observa:auth:public';
export const MISSION_ROLES_METADATA = 'observa:auth:mission-roles';
export const PLATFORM_ADMIN_METADATA = 'observa:auth:platform-admin';

/** No token needed (login, the public statement of a mission); the OpenAPI document says so too. */
export const Public = (): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(PUBLIC_METADATA, true), ApiPublic());

/**
 * The caller must hold one of these roles in the mission named by the route parameter `missionId`
 * (or be the platform administrator). Someone with no role in that mission gets a 404, as if it did not exist.
 */
export const MissionRoles = (role: MissionRole, ...more: MissionRole[]): MethodDecorator & ClassDecorator =>
  SetMetadata(MISSION_ROLES_METADATA, [role, ...more]);

/** Only the platform administrator (opening missions, registering users). */
export const PlatformAdmin = (): MethodDecorator & ClassDecorator =>
  SetMetadata(PLATFORM_ADMIN_METADATA, true);

/** The request as the guard leaves it. */
export type AuthenticatedRequest = { principal?: Principal };

/** The authenticated caller; on a @Public() route, undefined. */
export const CurrentPrincipal = createParamDecorator(
  (_: unknown, context: ExecutionContext): Principal | undefined =>
    context.switchToHttp().getRequest<AuthenticatedRequest>().principal,
);
