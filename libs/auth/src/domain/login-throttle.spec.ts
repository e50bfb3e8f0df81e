import { beforeEach, describe, expect, it } from '@jest/globals';
import {
  KNOWN_ADDRESS_MS,
  LoginThrottle,
  nextAttemptAt,
  type LoginAttempt,
  type ThrottlePolicy,
} from './login-throttle.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;

const pair: ThrottlePolicy = {
  windowMs: 15 * MINUTE,
  freeFailures: 3,
  baseDelayMs: SECOND,
  maxDelayMs: MINUTE,
  refuseAt: 10,
};
const account: ThrottlePolicy = {
  windowMs: 15 * MINUTE,
  freeFailures: 6,
  baseDelayMs: SECOND,
  maxDelayMs: MINUTE,
  refuseAt: 20,
};
const address: ThrottlePolicy = {
  windowMs: 15 * MINUTE,
  freeFailures: 5,
  baseDelayMs: SECOND,
  maxDelayMs: MINUTE,
  refuseAt: 12,
};

const aizada: LoginAttempt = { email: 'aizada@example.org', address: '203.0.113.7' };
const fromAddress = (i: number): LoginAttempt => ({ ...aizada, address: `198.51.100.${i}` });

describe('the login throttle', () => {
  let now: number;
  let throttle: LoginThrottle;
  /** An attempt that is let through and then fails (the throttle counts it as failed until told otherwise). */
  const fail = (attempt: LoginAttempt) => expect(throttle.admit(attempt)).toEqual({ allowed: true });
  const succeed = (attempt: LoginAttempt) => {
    expect(throttle.admit(attempt)).toEqual({ allowed: true });
    throttle.succeeded(attempt);
  };

  beforeEach(() => {
    now = Date.UTC(2023, 10, 30, 7, 0, 0);
    throttle = new LoginThrottle({ now: () => now, pair, account, address });
  });

  describe('per account and address', () => {
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
        limitedBy: 'pair',
      });
      now += SECOND;
      fail(aizada);
      expect(throttle.admit(aizada)).toMatchObject({ allowed: false, retryAfterSeconds: 2, why: 'slowed' });
      now += 2 * SECOND;
      fail(aizada);
      expect(throttle.admit(aizada)).toMatchObject({ allowed: false, retryAfterSeconds: 4, why: 'slowed' });
    });

    it('knows the account by its email however it is typed', () => {
      for (let i = 0; i < 4; i++)
        fail({ ...aizada, email: i % 2 ? ' AIZADA@example.org' : 'aizada@example.org' });
      expect(throttle.admit({ ...aizada, email: 'Aizada@Example.org' })).toMatchObject({
        allowed: false,
        limitedBy: 'pair',
      });
    });

    it('refuses at the limit until the oldest failure leaves the window', () => {
      const first = now;
      for (let i = 0; i < 10; i++) {
        fail(aizada);
        now += MINUTE;
      }
      // 10 failures, the first at `first`: refused until first + 15 min, whatever the doubling would say.
      expect(throttle.admit(aizada)).toEqual({
        allowed: false,
        retryAfterSeconds: (first + 15 * MINUTE - now) / SECOND,
        why: 'refused',
        limitedBy: 'pair',
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

    it('does not hold back the same account from another address', () => {
      for (let i = 0; i < 4; i++) fail(aizada);
      expect(throttle.admit(fromAddress(1))).toEqual({ allowed: true });
    });

    it('starts afresh after a success', () => {
      for (let i = 0; i < 3; i++) fail(aizada);
      now += SECOND;
      succeed(aizada);
      // Five failures of the pair in all, more than its three free ones had the success not forgiven them.
      for (let i = 0; i < 2; i++) fail(aizada);
      expect(throttle.admit(aizada)).toEqual({ allowed: true });
    });

    it('throttles an email no account has exactly like one that has', () => {
      const stranger = { email: 'nobody@example.org', address: '198.51.100.9' };
      for (let i = 0; i < 4; i++) {
        fail(aizada);
        fail(stranger);
      }
      expect(throttle.admit(stranger)).toEqual(throttle.admit(aizada));
      expect(throttle.admit(stranger)).toMatchObject({ allowed: false, why: 'slowed', limitedBy: 'pair' });
    });

    it('holds back a burst of parallel guesses: each is counted as it is let through', () => {
      const decisions = Array.from({ length: 10 }, () => throttle.admit(aizada));
      expect(decisions.filter((d) => d.allowed)).toHaveLength(4);
    });
  });

  describe('per account, from addresses that are not its owner’s', () => {
    it('adds up the failures from every stranger’s address', () => {
      for (let i = 0; i < 7; i++) fail(fromAddress(i));
      expect(throttle.admit(fromAddress(99))).toEqual({
        allowed: false,
        retryAfterSeconds: 1,
        why: 'slowed',
        limitedBy: 'account',
      });
    });

    it('never holds back the owner’s address, however many strangers fail', () => {
      succeed(aizada);
      for (let i = 0; i < 200; i++) throttle.recordFailure(fromAddress(i), now);
      expect(throttle.admit(fromAddress(999))).toMatchObject({
        allowed: false,
        why: 'refused',
        limitedBy: 'account',
      });
      succeed(aizada);
    });

    it('still throttles the owner’s address as a pair: a guesser on the owner’s network gets no more', () => {
      succeed(aizada);
      for (let i = 0; i < 4; i++) fail(aizada);
      expect(throttle.admit(aizada)).toMatchObject({ allowed: false, limitedBy: 'pair' });
    });

    it('forgets an owner’s address after 30 days without a login from it', () => {
      succeed(aizada);
      now += KNOWN_ADDRESS_MS;
      for (let i = 0; i < 7; i++) fail(fromAddress(i));
      expect(throttle.admit(aizada)).toMatchObject({ allowed: false, limitedBy: 'account' });
    });

    it('keeps the failures of strangers when the owner logs in', () => {
      for (let i = 0; i < 6; i++) fail(fromAddress(i));
      succeed(aizada);
      fail(fromAddress(6));
      expect(throttle.admit(fromAddress(7))).toMatchObject({ allowed: false, limitedBy: 'account' });
    });

    it('learns the owner’s addresses from the events at start', () => {
      throttle.rememberOwnerAddress(aizada, now - MINUTE);
      for (let i = 0; i < 20; i++) throttle.recordFailure(fromAddress(i), now);
      expect(throttle.admit(aizada)).toEqual({ allowed: true });
      expect(throttle.admit(fromAddress(99))).toMatchObject({ allowed: false, limitedBy: 'account' });
    });

    it('does not let an older login replayed at start shorten a newer one', () => {
      succeed(aizada);
      throttle.rememberOwnerAddress(aizada, now - KNOWN_ADDRESS_MS);
      for (let i = 0; i < 7; i++) fail(fromAddress(i));
      expect(throttle.admit(aizada)).toEqual({ allowed: true });
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

    it('answers with the longest wait when several limits hold back', () => {
      // Seeded as from the events of other processes: the pair failed 5 times (a wait of 2 s),
      // the address 10 times (16 s).
      for (let i = 0; i < 5; i++) throttle.recordFailure(aizada, now);
      for (let i = 0; i < 5; i++) throttle.recordFailure(guess(i), now);
      expect(throttle.admit(aizada)).toMatchObject({
        allowed: false,
        retryAfterSeconds: 16,
        limitedBy: 'address',
      });
    });

    it('forgets only the successful attempt of an address, not the failures before it', () => {
      for (let i = 0; i < 5; i++) fail(guess(i));
      succeed(aizada);
      fail(guess(5)); // 6 failures from the address
      expect(throttle.admit(guess(6))).toMatchObject({ allowed: false, limitedBy: 'address' });
    });
  });

  it('decides from failure times alone, as a fold of LoginFailed events would give them', () => {
    const failedAt = [0, 1, 2, 3, 4].map((m) => now - (20 - m) * MINUTE); // all out of the window
    expect(nextAttemptAt(failedAt, pair, now)).toBeUndefined();
    const recent = [5, 4, 3, 2].map((s) => now - s * SECOND);
    expect(nextAttemptAt(recent, pair, now)).toBeUndefined(); // the 1 s wait after the 4th is over
    expect(nextAttemptAt([...recent, now], pair, now)).toEqual({ at: now + 2 * SECOND, why: 'slowed' });
  });

  it('forgets keys whose failures have all left the window', () => {
    const small = new LoginThrottle({ now: () => now, pair, account, address, sweepAbove: 4 });
    for (let i = 0; i < 3; i++) small.admit({ email: `user${i}@example.org`, address: `198.51.100.${i}` });
    expect(small.size).toBe(9); // pair, address and account of each
    now += 16 * MINUTE;
    small.admit(aizada);
    expect(small.size).toBe(3);
  });
});
