/** Installs the guard on every route of the app, with the token verifier its configuration calls for. */
import { Module, type DynamicModule, type Provider, type Type } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthGuard, TOKEN_VERIFIER } from './auth.guard.js';
import {
  ACCOUNT_STATUS,
  MISSION_MEMBERSHIP,
  type AccountStatus,
  type MissionMembership,
} from './mission-membership.js';
import { verifierFor, type AuthConfig } from './token.js';

export const AUTH_CONFIG = Symbol('AuthConfig');

export type AuthModuleOptions = {
  readonly config: AuthConfig;
  /** The projection of staff roles (a class Nest builds), or an instance. */
  readonly membership: Type<MissionMembership> | MissionMembership;
  /** The projection of accounts (a class Nest builds), or an instance. */
  readonly accounts: Type<AccountStatus> | AccountStatus;
  readonly now?: () => Date;
};

@Module({})
export class AuthModule {
  static forRoot(options: AuthModuleOptions): DynamicModule {
    const port = <T>(provide: symbol, source: Type<T> | T): Provider =>
      typeof source === 'function' ? { provide, useClass: source as Type<T> } : { provide, useValue: source };
    return {
      module: AuthModule,
      global: true,
      providers: [
        { provide: AUTH_CONFIG, useValue: options.config },
        { provide: TOKEN_VERIFIER, useValue: verifierFor(options.config, { now: options.now }) },
        port(MISSION_MEMBERSHIP, options.membership),
        port(ACCOUNT_STATUS, options.accounts),
        AuthGuard,
        { provide: APP_GUARD, useExisting: AuthGuard },
      ],
      exports: [AUTH_CONFIG, TOKEN_VERIFIER, MISSION_MEMBERSHIP, ACCOUNT_STATUS],
    };
  }
}
