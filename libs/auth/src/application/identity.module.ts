/**
 * The identity context in a host: login, accounts, the platform administrator on first start, and the
 * guard (AuthModule) wired to the mission roles this context projects, and the Idempotency-Key check of
 * every write (IdempotencyModule). Apps import IdentityModule.forRoot().
 */
import { Inject, Logger, Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import { Counter } from 'prom-client';
import { Metrics, ProjectionHost, ReadModelTables, type AppConfig } from '#platform';
import { authConfigOf } from '../auth-config.js';
import { AuthModule } from '../auth.module.js';
import { IdempotencyModule } from '../idempotency/idempotency.module.js';
import { LoginThrottle } from '../domain/login-throttle.js';
import { ADMIN_ACCOUNT, AdminBootstrap, adminAccountFrom } from './admin-bootstrap.js';
import { GetCurrentUserHandler } from './get-current-user.handler.js';
import {
  IDENTITY_CLOCK,
  IssueTokenHandler,
  LOGIN_REFUSALS,
  LOGIN_THROTTLE,
  type LoginRefusals,
} from './issue-token.handler.js';
import {
  LoginFailureSeen,
  OwnerAddressSeen,
  loginFailuresProjection,
  LoginThrottleSeeding,
} from './login-failures.read-model.js';
import { DisableUserHandler } from './disable-user.handler.js';
import { RegisterUserHandler } from './register-user.handler.js';
import {
  MissionRoleHeld,
  missionRolesProjection,
  ProjectedMissionMembership,
} from './staff-roles.read-model.js';
import { TokenController } from './token.controller.js';
import { IDENTITY_READ_MODEL_TABLES } from './identity.tables.js';
import { ProjectedAccountStatus, UserAccount, usersProjection } from './users.read-model.js';
import { UsersController } from './users.controller.js';

export type IdentityModuleOptions = {
  readonly now?: () => Date;
};

/** Refused logins are not events (an attacker could grow the history at will): they are counted and logged. */
const countLoginRefusals = (metrics: Metrics): LoginRefusals => {
  const refusals = new Counter<'limited_by' | 'why'>({
    name: 'observa_login_refusals_total',
    help: 'Login attempts the throttle refused (429), by what held them back (pair, address, account) and why (slowed, refused).',
    labelNames: ['limited_by', 'why'],
    registers: [metrics.registry],
  });
  const logger = new Logger('Identity');
  return ({ limitedBy, why, retryAfterSeconds }) => {
    refusals.inc({ limited_by: limitedBy, why });
    logger.debug(`login refused (${why} by ${limitedBy}), retry after ${retryAfterSeconds} s`);
  };
};

@Module({})
export class IdentityModule implements OnModuleInit {
  constructor(@Inject(ProjectionHost) private readonly projections: ProjectionHost) {}

  /**
   * With the tokens and administrator `config` names (OBSERVA_JWT_SECRET, OBSERVA_TOKEN_TTL_SECONDS,
   * OBSERVA_OIDC_*, OBSERVA_ADMIN_*).
   * @throws ConfigInvalid when OBSERVA_ADMIN_PASSWORD is too short for the password policy
   */
  static forRoot(appConfig: AppConfig, options: IdentityModuleOptions = {}): DynamicModule {
    const now = options.now ?? (() => new Date());
    const config = authConfigOf(appConfig);
    return {
      module: IdentityModule,
      imports: [
        ReadModelTables.forFeature(
          [UserAccount, MissionRoleHeld, LoginFailureSeen, OwnerAddressSeen],
          IDENTITY_READ_MODEL_TABLES,
        ),
        AuthModule.forRoot({
          config,
          membership: ProjectedMissionMembership,
          accounts: ProjectedAccountStatus,
          now,
        }),
        // Keys are checked where requests are authenticated: the caller scopes them.
        IdempotencyModule,
      ],
      controllers: [TokenController, UsersController],
      providers: [
        { provide: ADMIN_ACCOUNT, useValue: adminAccountFrom(appConfig) },
        { provide: IDENTITY_CLOCK, useValue: now },
        { provide: LOGIN_THROTTLE, useValue: new LoginThrottle({ now: () => now().getTime() }) },
        { provide: LOGIN_REFUSALS, inject: [Metrics], useFactory: countLoginRefusals },
        IssueTokenHandler,
        RegisterUserHandler,
        DisableUserHandler,
        GetCurrentUserHandler,
        AdminBootstrap,
        LoginThrottleSeeding,
      ],
    };
  }

  onModuleInit(): void {
    this.projections.register(usersProjection);
    this.projections.register(missionRolesProjection);
    this.projections.register(loginFailuresProjection);
  }
}
