import { describe, expect, it } from '@jest/globals';
import { DomainRuleBroken } from '#event-sourcing';
import { specFor } from '#testing';
import { normalizeEmail, userStreamId, type UserEvent } from './user.js';
import { userDecider, type RegisterUser } from './user.decide.js';

const { given } = specFor(userDecider);

const userId = '7f1c-aizada';
const hash = 'scrypt$32768$8$1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g';
const newHash = 'scrypt$32768$8$1$bmV3c2FsdG5ld3NhbHRuZXc$bmV3aGFzaG5ld2hhc2huZXdoYXNobmV3aGFzaG5ldw';

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

it('normalizes emails in one spelling per mailbox', () =>
  expect(normalizeEmail(' Ai\u0301zada@EXAMPLE.org ')).toBe('a\u00edzada@example.org'));
