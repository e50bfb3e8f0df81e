/**
 * Every HTTP route needs a valid Bearer token unless it is @Public(); @PlatformAdmin() and @MissionRoles()
 * narrow it further. Refusals are named errors the problem filter turns into 401, 403, 404.
 *
 * Only HTTP is guarded: gRPC and in-process calls come from the gateway, which has already authorized them
 * and passes the actor along; context ports must not be exposed beyond the platform's own network.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  Inject,
  Injectable,
  ServiceUnavailableException,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Forbidden, NotFound } from '#event-sourcing';
import { HealthController, MetricsController, ValidationFailed } from '#platform';
import {
  MISSION_ROLES_METADATA,
  PLATFORM_ADMIN_METADATA,
  PUBLIC_METADATA,
  type AuthenticatedRequest,
} from './auth.decorators.js';
import { authorize, isMissionId, type MissionRole, type Principal } from './domain/roles.js';
import {
  ACCOUNT_STATUS,
  MISSION_MEMBERSHIP,
  type AccountStatus,
  type MissionMembership,
} from './mission-membership.js';
import { InvalidToken, IssuerUnavailable, type TokenVerifier, type VerifiedToken } from './token.js';

export const TOKEN_VERIFIER = Symbol('TokenVerifier');

/**
 * Probes and scrapers outside the versioned API, served by the platform; who reaches them is the network's
 * business. A function, not a list: #platform imports #auth too, and this runs only once both are loaded.
 */
const isOperations = (controller: unknown): boolean =>
  controller === HealthController || controller === MetricsController;

const REALM = 'Bearer realm="observa"';
const BEARER = /^Bearer +([A-Za-z0-9._~+/-]+=*)$/i;

type Request = IncomingMessage & AuthenticatedRequest & { params?: Record<string, string | undefined> };

@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(TOKEN_VERIFIER) private readonly verify: TokenVerifier,
    @Inject(MISSION_MEMBERSHIP) private readonly membership: MissionMembership,
    @Inject(ACCOUNT_STATUS) private readonly accounts: AccountStatus,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    if (isOperations(context.getClass())) return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_METADATA, targets)) return true;

    const http = context.switchToHttp();
    const request = http.getRequest<Request>();
    const token = await this.tokenOf(request, http.getResponse<ServerResponse>());
    const [disabled, missionRoles] = await Promise.all([
      this.accounts.isDisabled(token.userId),
      this.membership.rolesOf(token.userId),
    ]);
    // A token outlives nothing: the account's status now, not when the token was signed, decides.
    if (disabled) throw new UnauthorizedException('This account is disabled.');
    const principal: Principal = {
      userId: token.userId,
      email: token.email,
      ...(token.platformRole && { platformRole: token.platformRole }),
      missionRoles,
    };
    request.principal = principal;

    if (
      this.reflector.getAllAndOverride<boolean>(PLATFORM_ADMIN_METADATA, targets) &&
      principal.platformRole !== 'admin'
    )
      throw new Forbidden('only the platform administrator may do this');

    const roles = this.reflector.getAllAndOverride<MissionRole[] | undefined>(
      MISSION_ROLES_METADATA,
      targets,
    );
    if (roles) {
      const missionId = request.params?.missionId;
      if (!missionId) throw new Error('@MissionRoles() is on a route without a :missionId parameter');
      // Before anything is looked up; the value is not echoed: it can be anything a client typed.
      if (!isMissionId(missionId))
        throw new ValidationFailed([{ field: 'missionId', message: 'missionId must be a UUID' }]);
      if (principal.platformRole === 'admin' && !(await this.membership.exists(missionId)))
        throw new NotFound(`there is no mission ${missionId}`);
      switch (authorize(principal, missionId, roles)) {
        case 'not-found':
          throw new NotFound(`there is no mission ${missionId}`);
        case 'forbidden':
          throw new Forbidden(`this needs one of the mission roles ${roles.join(', ')}`);
        case 'allowed':
          break;
      }
    }
    return true;
  }

  private async tokenOf(request: Request, response: ServerResponse): Promise<VerifiedToken> {
    const header = request.headers.authorization;
    const token = header === undefined ? undefined : BEARER.exec(header)?.[1];
    if (header === undefined) {
      response.setHeader('WWW-Authenticate', REALM);
      throw new UnauthorizedException('This needs a Bearer access token in the Authorization header.');
    }
    try {
      if (token === undefined) throw new InvalidToken('the Authorization header is not "Bearer <token>"');
      return await this.verify(token);
    } catch (error) {
      if (error instanceof IssuerUnavailable)
        throw new ServiceUnavailableException('The token issuer cannot be reached; try again shortly.', {
          cause: error,
        });
      if (!(error instanceof InvalidToken)) throw error;
      const description = error.expired ? 'the token has expired' : 'the token is not valid';
      response.setHeader(
        'WWW-Authenticate',
        `${REALM}, error="invalid_token", error_description="${description}"`,
      );
      throw new UnauthorizedException(error.message);
    }
  }
}
