import { describe, expect, it } from '@jest/globals';
import { DomainRuleBroken } from '#event-sourcing';
import { specFor } from '#testing';
import { loginAttemptDecider, loginStreamId, type RecordLoginAttempt } from './login-attempt.js';

const { given } = specFor(loginAttemptDecider);

const userId = '7f1c-aizada';
const at = '2023-11-30T07:12:00.000Z';
const address = '203.0.113.7';
const aizada = { userId, disabled: false };
const attempt = (change: Partial<RecordLoginAttempt>): RecordLoginAttempt => ({
  type: 'RecordLoginAttempt',
  at,
  address,
  account: aizada,
  passwordMatched: true,
  ...change,
});
const earlier = { type: 'LoginFailed', data: { at, address, reason: 'unknown-user' } } as const;

describe('a login attempt that reached the password check', () => {
  it('succeeds with the right password', () =>
    given([])
      .when(attempt({}))
      .then([{ type: 'LoginSucceeded', data: { userId, at, address } }]));

  it('fails with a wrong password', () =>
    given([earlier])
      .when(attempt({ passwordMatched: false }))
      .then([{ type: 'LoginFailed', data: { userId, at, address, reason: 'wrong-password' } }]));

  it('fails for a disabled account, even with the right password', () =>
    given([])
      .when(attempt({ account: { userId, disabled: true } }))
      .then([{ type: 'LoginFailed', data: { userId, at, address, reason: 'disabled' } }]));

  it('says wrong password to a disabled account with a wrong password: the answer tells nothing more', () =>
    given([])
      .when(attempt({ account: { userId, disabled: true }, passwordMatched: false }))
      .then([{ type: 'LoginFailed', data: { userId, at, address, reason: 'wrong-password' } }]));

  it('records an email no account has as an unknown-user failure, without the email or a user id', () =>
    given([])
      .when(attempt({ account: null, passwordMatched: false }))
      .then([{ type: 'LoginFailed', data: { at, address, reason: 'unknown-user' } }]));

  it.each([
    ['without a time', { at: 'yesterday' }, /ISO 8601/],
    ['without an address', { address: ' ' }, /address/],
    ['for an account without an id', { account: { userId: '', disabled: false } }, /user id/],
  ])('refuses an attempt %s', (_, change, message) =>
    given([]).when(attempt(change)).thenThrows(DomainRuleBroken, message),
  );
});

describe('the stream of login attempts', () => {
  it('is named by a digest of the normalized email and the UTC day, not the email', () => {
    const id = loginStreamId(' Nobody@Example.org', at);
    expect(id).toMatch(/^login-[0-9a-f]{64}-2023-11-30$/);
    expect(id).toBe(loginStreamId('nobody@example.org', at));
    expect(id).not.toContain('nobody');
    expect(loginStreamId('somebody@example.org', at)).not.toBe(id);
  });

  it('changes at midnight UTC, whatever the offset the time was written with', () => {
    expect(loginStreamId('a@example.org', '2023-11-30T23:59:59.999Z')).toMatch(/-2023-11-30$/);
    expect(loginStreamId('a@example.org', '2023-12-01T00:00:00.000Z')).toMatch(/-2023-12-01$/);
    expect(loginStreamId('a@example.org', '2023-12-01T05:00:00+06:00')).toMatch(/-2023-11-30$/);
  });

  it('refuses a time that is not one', () =>
    expect(() => loginStreamId('a@example.org', 'soon')).toThrow(DomainRuleBroken));
});
