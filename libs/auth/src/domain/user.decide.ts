/** What may be done to a user account. Password checks happen before (they are slow and not pure): the command says how it went. */
import { DomainRuleBroken, type Decider } from '#event-sourcing';
import { PLATFORM_ROLES, type PlatformRole } from './roles.js';
import { evolve, initialState, normalizeEmail, type User, type UserEvent } from './user.js';

export type RegisterUser = {
  readonly type: 'RegisterUser';
  readonly userId: string;
  readonly email: string;
  readonly passwordHash: string;
  readonly platformRole?: PlatformRole;
};

export type ChangePassword = { readonly type: 'ChangePassword'; readonly passwordHash: string };

export type DisableUser = { readonly type: 'DisableUser'; readonly by: string; readonly reason?: string };

export type UserCommand = RegisterUser | ChangePassword | DisableUser;

const MAX_EMAIL_LENGTH = 254;

const emailOf = (value: string): string => {
  const email = typeof value === 'string' ? normalizeEmail(value) : '';
  if (email.length > MAX_EMAIL_LENGTH || !/^[^\s@]+@[^\s@]+$/.test(email))
    throw new DomainRuleBroken('email must be an address: name@domain');
  return email;
};

const required = (value: string, what: string): string => {
  const text = typeof value === 'string' ? value.trim() : '';
  if (text === '') throw new DomainRuleBroken(`${what} must not be empty`);
  return text;
};

type RegisteredUser = Exclude<User, { status: 'unregistered' }>;

const registered = (state: User): RegisteredUser => {
  if (state.status === 'unregistered') throw new DomainRuleBroken('there is no such user');
  return state;
};

const active = (state: User): RegisteredUser => {
  const user = registered(state);
  if (user.status === 'disabled') throw new DomainRuleBroken('the user is disabled');
  return user;
};

export const decide = (command: UserCommand, state: User): UserEvent[] => {
  switch (command.type) {
    case 'RegisterUser': {
      if (state.status !== 'unregistered') throw new DomainRuleBroken('the user is already registered');
      const { platformRole } = command;
      if (platformRole !== undefined && !PLATFORM_ROLES.includes(platformRole))
        throw new DomainRuleBroken(`unknown platform role ${JSON.stringify(platformRole)}`);
      return [
        {
          type: 'UserRegistered',
          data: {
            userId: required(command.userId, 'user id'),
            email: emailOf(command.email),
            passwordHash: required(command.passwordHash, 'password hash'),
            ...(platformRole && { platformRole }),
          },
        },
      ];
    }
    case 'ChangePassword': {
      const user = active(state);
      return [
        {
          type: 'PasswordChanged',
          data: { userId: user.userId, passwordHash: required(command.passwordHash, 'password hash') },
        },
      ];
    }
    case 'DisableUser': {
      const user = registered(state);
      if (user.status === 'disabled') return [];
      const reason = typeof command.reason === 'string' ? command.reason.trim() : '';
      return [
        {
          type: 'UserDisabled',
          data: { userId: user.userId, by: required(command.by, 'by'), ...(reason && { reason }) },
        },
      ];
    }
    default: {
      const unhandled: never = command;
      throw new Error(`unknown command ${JSON.stringify(unhandled)}`);
    }
  }
};

export const userDecider: Decider<User, UserCommand, UserEvent> = { decide, evolve, initialState };
