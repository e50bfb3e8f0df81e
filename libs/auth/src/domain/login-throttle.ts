/**
 * Repeated failed logins are first slowed, then refused for a while: first per account and address
 * together, then per address (one address guessing at many accounts), then per account across the
 * addresses it was never used from (many addresses guessing at one account). An address the account
 * logged in from recently is not held back by what strangers do, so nobody can lock an account's owner
 * out by failing on purpose: at worst the owner is slowed on a device the account never used.
 *
 * An attempt is counted as a failure when it is admitted and forgiven when it succeeds: a burst of parallel
 * guesses cannot all slip through before the first of them has been checked (the password check takes
 * ~100 ms). The caller lets one attempt per account and address through at a time (login-turns.ts), so a
 * burst of parallel correct logins waits in line instead of being counted as guesses. Refused attempts are
 * not counted, so waiting out a refusal always works.
 *
 * This is an in-memory cache of a fact the event store already holds: the decision for a key is a fold of
 * the LoginFailed and LoginSucceeded events of the last window. A restarted process is seeded from a read
 * model of those events (`recordFailure`); it forgets which addresses were the owner's until they log in
 * again. Several gateway processes each keep their own count.
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

/** One account from one address: a person mistyping gets three tries free; a guesser gets ten per quarter hour. */
export const PAIR_POLICY: ThrottlePolicy = {
  windowMs: 15 * MINUTE,
  freeFailures: 3,
  baseDelayMs: 1000,
  maxDelayMs: MINUTE,
  refuseAt: 10,
};

/**
 * One account from every address it was not used from, added up: a botnet gets fifty guesses per quarter
 * hour, whatever the number of its addresses.
 */
export const ACCOUNT_POLICY: ThrottlePolicy = {
  windowMs: 15 * MINUTE,
  freeFailures: 10,
  baseDelayMs: 1000,
  maxDelayMs: MINUTE,
  refuseAt: 50,
};

/** How long an address the account logged in from stays its owner's, and how many are kept per account. */
export const KNOWN_ADDRESS_MS = 30 * 24 * 60 * MINUTE;
const KNOWN_ADDRESSES_PER_ACCOUNT = 20;

const LIMITS = ['pair', 'address', 'account'] as const;
export type ThrottleLimit = (typeof LIMITS)[number];

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
      readonly limitedBy: ThrottleLimit;
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

const accountOf = (email: string): string => email.trim().toLowerCase();
export const accountKey = (email: string): string => `account:${accountOf(email)}`;
export const addressKey = (address: string): string => `address:${address}`;
export const pairKey = (attempt: LoginAttempt): string =>
  `pair:${accountOf(attempt.email)}|${attempt.address}`;

export type LoginThrottleOptions = {
  /** Milliseconds since the epoch. */
  readonly now: () => number;
  readonly pair?: ThrottlePolicy;
  readonly account?: ThrottlePolicy;
  readonly address?: ThrottlePolicy;
  /** Above this many keys, keys with no failure left in their window are dropped. */
  readonly sweepAbove?: number;
};

export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();
  /** Per account: the addresses it logged in from, and when last. */
  private readonly known = new Map<string, Map<string, number>>();
  private readonly now: () => number;
  private readonly policies: Readonly<Record<ThrottleLimit, ThrottlePolicy>>;
  private readonly sweepAbove: number;

  constructor(options: LoginThrottleOptions) {
    this.now = options.now;
    this.policies = {
      pair: options.pair ?? PAIR_POLICY,
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
    const keys = this.keysOf(attempt, now);
    let worst: Extract<ThrottleDecision, { allowed: false }> | undefined;
    for (const limitedBy of LIMITS) {
      const key = keys[limitedBy];
      if (key === undefined) continue;
      const next = nextAttemptAt(this.failures.get(key) ?? [], this.policies[limitedBy], now);
      if (!next) continue;
      const retryAfterSeconds = Math.max(1, Math.ceil((next.at - now) / 1000));
      if (!worst || retryAfterSeconds > worst.retryAfterSeconds)
        worst = { allowed: false, retryAfterSeconds, why: next.why, limitedBy };
    }
    if (worst) return worst;
    this.count(keys, now);
    return { allowed: true };
  }

  /**
   * The password was right: the pair starts afresh, this attempt is taken off the address and the account,
   * and the address becomes the owner's.
   */
  succeeded(attempt: LoginAttempt): void {
    const now = this.now();
    const keys = this.keysOf(attempt, now);
    this.failures.delete(keys.pair);
    // The address keeps its other failures: logging into one's own account between guesses at others must
    // not wipe the count of those guesses. Likewise the account keeps the guesses of strangers.
    for (const key of [keys.address, keys.account]) {
      if (key === undefined) continue;
      const times = this.failures.get(key);
      times?.pop();
      if (times?.length === 0) this.failures.delete(key);
    }
    this.rememberOwnerAddress(attempt, now);
  }

  /** The account logged in from this address at `at` (here, or as replayed from the events at start). */
  rememberOwnerAddress(attempt: LoginAttempt, at: number): void {
    const account = accountOf(attempt.email);
    const addresses = this.known.get(account) ?? new Map<string, number>();
    if ((addresses.get(attempt.address) ?? -Infinity) > at) return;
    // Oldest first, so that the first key is the one to drop.
    addresses.delete(attempt.address);
    addresses.set(attempt.address, at);
    if (addresses.size > KNOWN_ADDRESSES_PER_ACCOUNT) addresses.delete(addresses.keys().next().value!);
    this.known.set(account, addresses);
  }

  /** A failure that happened elsewhere (another process, or replayed from the events at start). */
  recordFailure(attempt: LoginAttempt, at: number): void {
    this.count(this.keysOf(attempt, at), at);
  }

  /** How many keys are remembered (for metrics, and to see that sweeping works). */
  get size(): number {
    return this.failures.size;
  }

  private count(keys: Partial<Record<ThrottleLimit, string>>, at: number): void {
    if (this.failures.size > this.sweepAbove) this.sweep(at);
    for (const limitedBy of LIMITS) {
      const key = keys[limitedBy];
      if (key === undefined) continue;
      const times = this.failures.get(key) ?? [];
      times.push(at);
      times.sort((a, b) => a - b);
      // More than refuseAt failures tell nothing more.
      if (times.length > this.policies[limitedBy].refuseAt) times.shift();
      this.failures.set(key, times);
    }
  }

  /** The keys an attempt counts against: not the account's own when it comes from one of the owner's addresses. */
  private keysOf(attempt: LoginAttempt, now: number): { pair: string; address: string; account?: string } {
    const lastSuccess = this.known.get(accountOf(attempt.email))?.get(attempt.address);
    const owners = lastSuccess !== undefined && lastSuccess > now - KNOWN_ADDRESS_MS;
    return {
      pair: pairKey(attempt),
      address: addressKey(attempt.address),
      ...(!owners && { account: accountKey(attempt.email) }),
    };
  }

  private sweep(now: number): void {
    const longest = Math.max(...LIMITS.map((limit) => this.policies[limit].windowMs));
    for (const [key, times] of this.failures)
      if (times[times.length - 1] <= now - longest) this.failures.delete(key);
    for (const [account, addresses] of this.known) {
      for (const [address, at] of addresses) if (at <= now - KNOWN_ADDRESS_MS) addresses.delete(address);
      if (addresses.size === 0) this.known.delete(account);
    }
  }
}
