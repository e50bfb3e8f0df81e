import { beforeEach, describe, expect, it } from '@jest/globals';
import { LoginThrottle, nextAttemptAt, type LoginAttempt, type ThrottlePolicy } from './login-throttle.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;

const account: ThrottlePolicy = {
  windowMs: 15 * MINUTE,
  freeFailures: 3,
  baseDelayMs: SECOND,
  maxDelayMs: MINUTE,
  refuseAt: 10,
};
const address: ThrottlePolicy = {
  windowMs: 15 * MINUTE,
  freeFailures: 5,
  baseDelayMs: SECOND,
  maxDelayMs: MINUTE,
  refuseAt: 12,
};

const aizada: LoginAttempt = { email: 'aizada@example.org', address: '203.0.113.7' };

describe('the login throttle', () => {
  let now: number;
  let throttle: LoginThrottle;
  /** An attempt that is let through and then fails (the throttle counts it as failed until told otherwise). */
  const fail = (attempt: LoginAttempt) => expect(throttle.admit(attempt)).toEqual({ allowed: true });

  beforeEach(() => {
    now = Date.UTC(2023, 10, 30, 7, 0, 0);
    throttle = new LoginThrottle({ now: () => now, account, address });
  });

  describe('per account', () => {
    it('lets the first failures through without delay', () => {
      for (let i = 0; i < 3; i++) fail(aizada);
      expect(throttle.admit(aizada)).toEqual({ allowed: true });
    });

    it('then slows: each further failure doubles the wait', () => {
      for (let i = 0; i < 4; i++) fail(aizada);
      expect(throttle.admit(aizada)).toEqual({
        allowed: false,
        retryAfterSeconds: 1,
        why: 'slowed',
        limitedBy: 'account',
      });
      now += SECOND;
      fail(aizada);
      expect(throttle.admit(aizada)).toMatchObject({ allowed: false, retryAfterSeconds: 2, why: 'slowed' });
      now += 2 * SECOND;
      fail(aizada);
      expect(throttle.admit(aizada)).toMatchObject({ allowed: false, retryAfterSeconds: 4, why: 'slowed' });
    });

    it('counts the account from any address, and by the email however it is typed', () => {
      for (let i = 0; i < 4; i++)
        fail({ email: i % 2 ? ' AIZADA@example.org' : 'aizada@example.org', address: `198.51.100.${i}` });
      expect(throttle.admit({ email: 'Aizada@Example.org', address: '192.0.2.1' })).toMatchObject({
        allowed: false,
        limitedBy: 'account',
      });
    });

    it('refuses at the limit until the oldest failure leaves the window', () => {
      const first = now;
      for (let i = 0; i < 10; i++) {
        fail(aizada);
        now += MINUTE;
      }
      // 10 failures, the first at `first`: refused until first + 15 min, whatever the doubling would say.
      const decision = throttle.admit(aizada);
      expect(decision).toEqual({
        allowed: false,
        retryAfterSeconds: (first + 15 * MINUTE - now) / SECOND,
        why: 'refused',
        limitedBy: 'account',
      });
      now = first + 15 * MINUTE;
      expect(throttle.admit(aizada)).toEqual({ allowed: true });
    });

    it('does not count the refused attempts, so waiting always works', () => {
      for (let i = 0; i < 4; i++) fail(aizada);
      for (let i = 0; i < 50; i++) expect(throttle.admit(aizada)).toMatchObject({ allowed: false });
      now += SECOND;
      expect(throttle.admit(aizada)).toEqual({ allowed: true });
    });

    it('starts afresh after a success', () => {
      const fromHome = { ...aizada, address: '192.0.2.1' };
      for (let i = 0; i < 4; i++) fail(aizada);
      now += SECOND;
      expect(throttle.admit(fromHome)).toEqual({ allowed: true });
      throttle.succeeded(fromHome);
      for (let i = 0; i < 3; i++) fail(fromHome);
      expect(throttle.admit(fromHome)).toEqual({ allowed: true });
    });

    it('throttles an email no account has exactly like one that has', () => {
      const stranger = { email: 'nobody@example.org', address: '198.51.100.9' };
      for (let i = 0; i < 4; i++) {
        fail(aizada);
        fail(stranger);
      }
      const { limitedBy: _, ...forStranger } = throttle.admit(stranger) as { limitedBy: string };
      const { limitedBy: __, ...forAizada } = throttle.admit(aizada) as { limitedBy: string };
      expect(forStranger).toEqual(forAizada);
      expect(forStranger).toMatchObject({ allowed: false, why: 'slowed' });
    });

    it('holds back a burst of parallel guesses: each is counted as it is let through', () => {
      const decisions = Array.from({ length: 10 }, () => throttle.admit(aizada));
      expect(decisions.filter((d) => d.allowed)).toHaveLength(4);
    });
  });

  describe('per address', () => {
    const guess = (i: number): LoginAttempt => ({ email: `user${i}@example.org`, address: aizada.address });

    it('slows an address that fails across many accounts', () => {
      for (let i = 0; i < 6; i++) fail(guess(i));
      expect(throttle.admit(guess(99))).toEqual({
        allowed: false,
        retryAfterSeconds: 1,
        why: 'slowed',
        limitedBy: 'address',
      });
      expect(throttle.admit({ ...guess(99), address: '198.51.100.1' })).toEqual({ allowed: true });
    });

    it('refuses an address at its limit', () => {
      for (let i = 0; i < 12; i++) {
        fail(guess(i));
        now += MINUTE;
      }
      expect(throttle.admit(guess(99))).toMatchObject({
        allowed: false,
        why: 'refused',
        limitedBy: 'address',
      });
    });

    it('answers with the longer wait when account and address both hold back', () => {
      // Seeded as from the events of other processes: the account failed 5 times (a wait of 2 s),
      // the address 10 times (16 s).
      for (let i = 0; i < 5; i++) throttle.recordFailure({ ...aizada, address: `198.51.100.${i}` }, now);
      for (let i = 0; i < 10; i++) throttle.recordFailure(guess(i), now);
      expect(throttle.admit(aizada)).toMatchObject({
        allowed: false,
        retryAfterSeconds: 16,
        limitedBy: 'address',
      });
    });

    it('forgets only the successful attempt of an address, not the failures before it', () => {
      for (let i = 0; i < 5; i++) fail(guess(i));
      fail(aizada);
      throttle.succeeded(aizada);
      fail(guess(5)); // 6 failures from the address
      expect(throttle.admit(guess(6))).toMatchObject({ allowed: false, limitedBy: 'address' });
    });
  });

  it('decides from failure times alone, as a fold of LoginFailed events would give them', () => {
    const failedAt = [0, 1, 2, 3, 4].map((m) => now - (20 - m) * MINUTE); // all out of the window
    expect(nextAttemptAt(failedAt, account, now)).toBeUndefined();
    const recent = [5, 4, 3, 2].map((s) => now - s * SECOND);
    expect(nextAttemptAt(recent, account, now)).toBeUndefined(); // the 1 s wait after the 4th is over
    expect(nextAttemptAt([...recent, now], account, now)).toEqual({ at: now + 2 * SECOND, why: 'slowed' });
  });

  it('forgets keys whose failures have all left the window', () => {
    const small = new LoginThrottle({ now: () => now, account, address, sweepAbove: 4 });
    for (let i = 0; i < 3; i++) small.admit({ email: `user${i}@example.org`, address: `198.51.100.${i}` });
    expect(small.size).toBe(6);
    now += 16 * MINUTE;
    small.admit(aizada);
    expect(small.size).toBe(2);
  });
});
