/**
 * Repeated failed logins are first slowed, then refused for a while, per account and per address.
 *
 * An attempt is counted as a failure when it is admitted and forgiven when it succeeds: a burst of parallel
 * guesses cannot all slip through before the first of them has been checked (the password check takes
 * ~100 ms). Refused attempts are not counted, so waiting out a refusal always works.
 *
 * This is an in-memory cache of a fact the event store already holds: the decision for a key is a fold of
 * the LoginFailed (reason other than `throttled`) and LoginSucceeded events of the last window, by email for
 * the account and by `address` for the address. A restarted process forgets (an attacker gains at most one
 * window's budget); several gateway processes each keep their own count; either can be closed by seeding
 * the map from a read model of those events, with `recordFailure`.
 */

export type ThrottlePolicy = {
  /** Failures older than this are forgotten. */
  readonly windowMs: number;
  /** This many failures in the window cost nothing. */
  readonly freeFailures: number;
  /** Then each further failure doubles the wait before the next attempt, from this... */
  readonly baseDelayMs: number;
  /** ...up to this. */
  readonly maxDelayMs: number;
  /** At this many failures in the window, attempts are refused until the oldest of them leaves the window. */
  readonly refuseAt: number;
};

const MINUTE = 60_000;

/** A person mistyping gets three tries free; a guesser gets ten per quarter hour. */
export const ACCOUNT_POLICY: ThrottlePolicy = {
  windowMs: 15 * MINUTE,
  freeFailures: 3,
  baseDelayMs: 1000,
  maxDelayMs: MINUTE,
  refuseAt: 10,
};

/** Looser: a mission office behind one NAT address has many people logging in at once. */
export const ADDRESS_POLICY: ThrottlePolicy = {
  windowMs: 15 * MINUTE,
  freeFailures: 20,
  baseDelayMs: 1000,
  maxDelayMs: MINUTE,
  refuseAt: 100,
};

export type LoginAttempt = { readonly email: string; readonly address: string };

export type ThrottleDecision =
  | { readonly allowed: true }
  | {
      readonly allowed: false;
      /** For the `Retry-After` header: whole seconds, at least 1. */
      readonly retryAfterSeconds: number;
      /** `slowed`: too soon after the last failure; `refused`: too many failures in the window. */
      readonly why: 'slowed' | 'refused';
      readonly limitedBy: 'account' | 'address';
    };

/** Failure times (ms) of one key, oldest first. */
type Failures = readonly number[];

/** When the next attempt may be made after these failures; undefined: now. Pure. */
export const nextAttemptAt = (
  failures: Failures,
  policy: ThrottlePolicy,
  now: number,
): { readonly at: number; readonly why: 'slowed' | 'refused' } | undefined => {
  const recent = failures.filter((at) => at > now - policy.windowMs);
  if (recent.length >= policy.refuseAt) {
    const at = recent[recent.length - policy.refuseAt] + policy.windowMs;
    return at > now ? { at, why: 'refused' } : undefined;
  }
  if (recent.length <= policy.freeFailures) return undefined;
  const delay = Math.min(
    policy.maxDelayMs,
    policy.baseDelayMs * 2 ** (recent.length - policy.freeFailures - 1),
  );
  const at = recent[recent.length - 1] + delay;
  return at > now ? { at, why: 'slowed' } : undefined;
};

export const accountKey = (email: string): string => `account:${email.trim().toLowerCase()}`;
export const addressKey = (address: string): string => `address:${address}`;

export type LoginThrottleOptions = {
  /** Milliseconds since the epoch. */
  readonly now: () => number;
  readonly account?: ThrottlePolicy;
  readonly address?: ThrottlePolicy;
  /** Above this many keys, keys with no failure left in their window are dropped. */
  readonly sweepAbove?: number;
};

export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();
  private readonly now: () => number;
  private readonly policies: { readonly account: ThrottlePolicy; readonly address: ThrottlePolicy };
  private readonly sweepAbove: number;

  constructor(options: LoginThrottleOptions) {
    this.now = options.now;
    this.policies = {
      account: options.account ?? ACCOUNT_POLICY,
      address: options.address ?? ADDRESS_POLICY,
    };
    this.sweepAbove = options.sweepAbove ?? 10_000;
  }

  /**
   * May this attempt go on to the password check? If so, it counts as a failure until `succeeded`.
   * The account is keyed by the email whether or not an account has it: throttling only real accounts
   * would tell a guesser which emails exist.
   */
  admit(attempt: LoginAttempt): ThrottleDecision {
    const now = this.now();
    const keys = this.keysOf(attempt);
    let worst: Extract<ThrottleDecision, { allowed: false }> | undefined;
    for (const limitedBy of ['account', 'address'] as const) {
      const next = nextAttemptAt(this.failures.get(keys[limitedBy]) ?? [], this.policies[limitedBy], now);
      if (!next) continue;
      const retryAfterSeconds = Math.max(1, Math.ceil((next.at - now) / 1000));
      if (!worst || retryAfterSeconds > worst.retryAfterSeconds)
        worst = { allowed: false, retryAfterSeconds, why: next.why, limitedBy };
    }
    if (worst) return worst;
    this.recordFailure(attempt, now);
    return { allowed: true };
  }

  /** The password was right: the account starts afresh, and this attempt is taken off the address. */
  succeeded(attempt: LoginAttempt): void {
    const keys = this.keysOf(attempt);
    this.failures.delete(keys.account);
    // The address keeps its other failures: logging into one's own account between guesses at others must
    // not wipe the count of those guesses.
    const address = this.failures.get(keys.address);
    address?.pop();
    if (address?.length === 0) this.failures.delete(keys.address);
  }

  /** A failure that happened elsewhere (another process, or replayed from the events at start). */
  recordFailure(attempt: LoginAttempt, at: number): void {
    if (this.failures.size > this.sweepAbove) this.sweep(at);
    const keys = this.keysOf(attempt);
    for (const limitedBy of ['account', 'address'] as const) {
      const key = keys[limitedBy];
      const times = this.failures.get(key) ?? [];
      times.push(at);
      times.sort((a, b) => a - b);
      // More than refuseAt failures tell nothing more.
      if (times.length > this.policies[limitedBy].refuseAt) times.shift();
      this.failures.set(key, times);
    }
  }

  /** How many keys are remembered (for metrics, and to see that sweeping works). */
  get size(): number {
    return this.failures.size;
  }

  private keysOf(attempt: LoginAttempt) {
    return { account: accountKey(attempt.email), address: addressKey(attempt.address) } as const;
  }

  private sweep(now: number): void {
    const longest = Math.max(this.policies.account.windowMs, this.policies.address.windowMs);
    for (const [key, times] of this.failures)
      if (times[times.length - 1] <= now - longest) this.failures.delete(key);
  }
}
