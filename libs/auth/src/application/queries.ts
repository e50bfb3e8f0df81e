/** The identity context's queries: plain data, JSON as it stands. */
import { Query } from '@nestjs/cqrs';
import type { MissionRole, PlatformRole } from '../domain/roles.js';
import type { PrincipalSnapshot } from './plain-request.js';

export type CurrentUser = {
  readonly userId: string;
  readonly email: string;
  readonly platformRole?: PlatformRole;
  /** `external` for a user an external OIDC issuer vouches for, who has no account here. */
  readonly status: 'active' | 'disabled' | 'external';
  readonly missions: readonly { readonly missionId: string; readonly roles: readonly MissionRole[] }[];
};

export class GetCurrentUser extends Query<CurrentUser> {
  constructor(readonly principal: PrincipalSnapshot) {
    super();
  }
}
