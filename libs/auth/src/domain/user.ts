/**
 * The facts of a user account: registered, changed password, disabled; and its login attempts, which are
 * recorded on login streams (domain/login-attempt.ts; accounts created before that have some on their own).
 */
import type { PlatformRole } from './roles.js';

export const LOGIN_FAILURE_REASONS = ['wrong-password', 'unknown-user', 'throttled', 'disabled'] as const;
export type LoginFailureReason = (typeof LOGIN_FAILURE_REASONS)[number];

export type UserRegistered = {
  readonly type: 'UserRegistered';
  readonly data: {
    readonly userId: string;
    /** Normalized: trimmed, lower case. */
    readonly email: string;
    /** As `password.ts` encodes it: `scrypt$N$r$p$salt$hash`. Never the password. */
    readonly passwordHash: string;
    readonly platformRole?: PlatformRole;
  };
};

export type LoginSucceeded = {
  readonly type: 'LoginSucceeded';
  readonly data: { readonly userId: string; readonly at: string; readonly address: string };
};

/**
 * With the userId of the account tried, or without (an email no account has). `throttled` is only in the
 * history of older versions: attempts the throttle refuses are no longer stored.
 */
export type LoginFailed = {
  readonly type: 'LoginFailed';
  readonly data: {
    readonly userId?: string;
    readonly at: string;
    readonly address: string;
    readonly reason: LoginFailureReason;
  };
};

export type PasswordChanged = {
  readonly type: 'PasswordChanged';
  readonly data: { readonly userId: string; readonly passwordHash: string };
};

export type UserDisabled = {
  readonly type: 'UserDisabled';
  readonly data: { readonly userId: string; readonly by: string; readonly reason?: string };
};

export type UserEvent = UserRegistered | LoginSucceeded | LoginFailed | PasswordChanged | UserDisabled;

export type User =
  | { readonly status: 'unregistered' }
  | {
      readonly status: 'active' | 'disabled';
      readonly userId: string;
      readonly email: string;
      readonly passwordHash: string;
      readonly platformRole?: PlatformRole;
    };

export const initialState = (): User => ({ status: 'unregistered' });

export const userStreamId = (userId: string): string => `user-${userId}`;

/** One spelling per mailbox, so that `Aizada@Example.org ` and `aizada@example.org` are one account. */
export const normalizeEmail = (email: string): string => email.normalize('NFC').trim().toLowerCase();

export const evolve = (state: User, event: UserEvent): User => {
  switch (event.type) {
    case 'UserRegistered':
      return { status: 'active', ...event.data };
    case 'PasswordChanged':
      return state.status === 'unregistered' ? state : { ...state, passwordHash: event.data.passwordHash };
    case 'UserDisabled':
      return state.status === 'unregistered' ? state : { ...state, status: 'disabled' };
    // Logins change nothing the decider needs: how often one failed is the login throttle's business.
    case 'LoginSucceeded':
    case 'LoginFailed':
      return state;
    default: {
      const unhandled: never = event;
      return unhandled;
    }
  }
};
