import { describe, expect, it } from '@jest/globals';
import { DomainRuleBroken } from '#event-sourcing';
import { specFor } from '#testing';
import { loginStreamId, unknownUserLoginDecider } from './login-attempt.js';
import { normalizeEmail, userStreamId, type UserEvent } from './user.js';
import { userDecider, type LogIn, type RegisterUser } from './user.decide.js';

const { given } = specFor(userDecider);

const userId = '7f1c-aizada';
const hash = 'scrypt$32768$8$1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g';
const newHash = 'scrypt$32768$8$1$bmV3c2FsdG5ld3NhbHRuZXc$bmV3aGFzaG5ld2hhc2huZXdoYXNobmV3aGFzaG5ldw';
const at = '2023-11-30T07:12:00.000Z';
const address = '203.0.113.7';

const register: RegisterUser = {
  type: 'RegisterUser',
  userId,
  email: ' Aizada@Example.ORG ',
  passwordHash: hash,
};
const registered: UserEvent = {
  type: 'UserRegistered',
  data: { userId, email: 'aizada@example.org', passwordHash: hash },
};
const disabled: UserEvent = { type: 'UserDisabled', data: { userId, by: 'user-admin' } };
const logIn = (check: LogIn['check']): LogIn => ({ type: 'LogIn', at, address, check });

describe('a user account', () => {
  it('lives on the stream user-<id>', () => expect(userStreamId(userId)).toBe(`user-${userId}`));

  describe('registering', () => {
    it('registers with the email in one spelling', () => given([]).when(register).then([registered]));

    it('registers the platform administrator', () =>
      given([])
        .when({ ...register, platformRole: 'admin' })
        .then([{ type: 'UserRegistered', data: { ...registered.data, platformRole: 'admin' } }]));

    it('registers only once', () =>
      given([registered])
        .when(register)
        .thenThrows(DomainRuleBroken, /already registered/));

    it.each([
      ['an email without @', { email: 'aizada.example.org' }, /email/],
      ['an email with a space', { email: 'aizada @example.org' }, /email/],
      ['an email longer than a mailbox can be', { email: `${'a'.repeat(250)}@example.org` }, /email/],
      ['an empty password hash', { passwordHash: '' }, /password hash/],
      ['an unknown platform role', { platformRole: 'root' }, /platform role/],
      ['an empty user id', { userId: ' ' }, /user id/],
    ])('refuses %s', (_, change, message) =>
      given([])
        .when({ ...register, ...change } as RegisterUser)
        .thenThrows(DomainRuleBroken, message),
    );
  });

  describe('logging in: every attempt is an event', () => {
    it('succeeds with the right password', () =>
      given([registered])
        .when(logIn('password-matched'))
        .then([{ type: 'LoginSucceeded', data: { userId, at, address } }]));

    it('fails with a wrong password', () =>
      given([registered])
        .when(logIn('password-mismatched'))
        .then([{ type: 'LoginFailed', data: { userId, at, address, reason: 'wrong-password' } }]));

    it('fails when the throttle refused the attempt', () =>
      given([registered])
        .when(logIn('throttled'))
        .then([{ type: 'LoginFailed', data: { userId, at, address, reason: 'throttled' } }]));

    it('fails for a disabled user, even with the right password', () =>
      given([registered, disabled])
        .when(logIn('password-matched'))
        .then([{ type: 'LoginFailed', data: { userId, at, address, reason: 'disabled' } }]));

    it('says wrong password to a disabled user with a wrong password: the account tells nothing more', () =>
      given([registered, disabled])
        .when(logIn('password-mismatched'))
        .then([{ type: 'LoginFailed', data: { userId, at, address, reason: 'wrong-password' } }]));

    it('succeeds after a password change, judged by the caller against the new hash', () =>
      given([registered, { type: 'PasswordChanged', data: { userId, passwordHash: newHash } }])
        .when(logIn('password-matched'))
        .then([{ type: 'LoginSucceeded', data: { userId, at, address } }]));

    it('has no account to log into before registration (that attempt goes on the login stream)', () =>
      given([])
        .when(logIn('password-mismatched'))
        .thenThrows(DomainRuleBroken, /no such user/));

    it('refuses an attempt without a time', () =>
      given([registered])
        .when({ ...logIn('password-matched'), at: 'yesterday' })
        .thenThrows(DomainRuleBroken, /ISO 8601/));

    it('refuses an attempt without an address', () =>
      given([registered])
        .when({ ...logIn('password-matched'), address: '' })
        .thenThrows(DomainRuleBroken, /address/));
  });

  describe('changing the password', () => {
    it('changes it', () =>
      given([registered])
        .when({ type: 'ChangePassword', passwordHash: newHash })
        .then([{ type: 'PasswordChanged', data: { userId, passwordHash: newHash } }]));

    it('refuses for a disabled user', () =>
      given([registered, disabled])
        .when({ type: 'ChangePassword', passwordHash: newHash })
        .thenThrows(DomainRuleBroken, /disabled/));

    it('refuses for no user', () =>
      given([])
        .when({ type: 'ChangePassword', passwordHash: newHash })
        .thenThrows(DomainRuleBroken, /no such user/));
  });

  describe('disabling', () => {
    it('disables, with a reason when one is given', () =>
      given([registered])
        .when({ type: 'DisableUser', by: 'user-admin', reason: ' left the mission ' })
        .then([{ type: 'UserDisabled', data: { userId, by: 'user-admin', reason: 'left the mission' } }]));

    it('changes nothing for a user already disabled', () =>
      given([registered, disabled]).when({ type: 'DisableUser', by: 'user-admin' }).thenNothingHappens());

    it('refuses for no user', () =>
      given([])
        .when({ type: 'DisableUser', by: 'user-admin' })
        .thenThrows(DomainRuleBroken, /no such user/));
  });
});

describe('a login with an email no account has', () => {
  const { given: givenLogins } = specFor(unknownUserLoginDecider);

  it('is recorded as an unknown-user failure, without the email', () =>
    givenLogins([])
      .when({ type: 'LogInUnknownUser', at, address, check: 'no-such-user' })
      .then([{ type: 'LoginFailed', data: { at, address, reason: 'unknown-user' } }]));

  it('is recorded as throttled when the throttle refused it', () =>
    givenLogins([{ type: 'LoginFailed', data: { at, address, reason: 'unknown-user' } }])
      .when({ type: 'LogInUnknownUser', at, address, check: 'throttled' })
      .then([{ type: 'LoginFailed', data: { at, address, reason: 'throttled' } }]));

  it('refuses an attempt without an address', () =>
    givenLogins([])
      .when({ type: 'LogInUnknownUser', at, address: ' ', check: 'no-such-user' })
      .thenThrows(DomainRuleBroken, /address/));

  it('goes on a stream named by a digest of the normalized email, not the email', () => {
    const id = loginStreamId(' Nobody@Example.org');
    expect(id).toMatch(/^login-[0-9a-f]{64}$/);
    expect(id).toBe(loginStreamId('nobody@example.org'));
    expect(id).not.toContain('nobody');
    expect(loginStreamId('somebody@example.org')).not.toBe(id);
  });

  it('normalizes emails the way the account does', () =>
    expect(normalizeEmail(' Ai\u0301zada@EXAMPLE.org ')).toBe('a\u00edzada@example.org'));
});
