/**
 * How every loop in Observa tries again (a relay, a Kafka consumer, an in-process projection, a command
 * that lost a race for its stream, an append that raced another writer): one piece, so the waits grow,
 * stop growing, end when the process stops, and are spread the same way everywhere.
 */

/**
 * A wait between attempts that ends early when the signal aborts. It removes its abort listener when the
 * time is up: a loop that retries for hours on one signal would otherwise pile up listeners
 * (MaxListenersExceededWarning) and keep every one of them alive.
 */
export const pause = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });

export type BackoffOptions = {
  /** The first wait, in ms. */
  readonly firstMs: number;
  /** The wait stops doubling here, in ms. */
  readonly longestMs: number;
  /**
   * Up to this share of each wait is taken off at random (0 to 1, default 0): processes that failed
   * together (a broker restart) then do not all come back in the same millisecond.
   */
  readonly jitter?: number;
  /** [0, 1), as Math.random; given in specs. */
  readonly random?: () => number;
};

/** Doubling waits from firstMs up to longestMs; reset() after a success starts again from firstMs. */
export class Backoff {
  private nextMs: number;

  constructor(private readonly options: BackoffOptions) {
    const { firstMs, longestMs, jitter = 0 } = options;
    if (!(firstMs >= 0 && longestMs >= firstMs && jitter >= 0 && jitter <= 1))
      throw new RangeError(`a backoff needs 0 <= first <= longest and a jitter from 0 to 1`);
    this.nextMs = firstMs;
  }

  /** The wait before the next attempt (and the one after it grows). */
  next(): number {
    const base = this.nextMs;
    this.nextMs = Math.min(base * 2, this.options.longestMs);
    const { jitter = 0, random = Math.random } = this.options;
    return Math.round(base * (1 - jitter * random()));
  }

  reset(): void {
    this.nextMs = this.options.firstMs;
  }

  /** Waits next() ms, or less if the signal aborts; resolves with the wait it meant. */
  async wait(signal?: AbortSignal): Promise<number> {
    const ms = this.next();
    await pause(ms, signal);
    return ms;
  }
}

export type RetryOptions = {
  /** Attempts in all, the first included (at least 1). */
  readonly attempts: number;
  /** Whether this failure is worth another attempt; the others are thrown at once. */
  readonly retryOn: (error: unknown) => boolean;
  /** The waits between attempts; none, another attempt starts at once (a lost race re-reads and decides again). */
  readonly backoff?: Backoff;
  /** Stops retrying: the last failure is thrown. */
  readonly signal?: AbortSignal;
};

/** `work` until it succeeds, fails in a way not worth retrying, runs out of attempts, or the signal aborts. */
export const retry = async <T>(work: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> => {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work(attempt);
    } catch (error) {
      if (attempt >= options.attempts || !options.retryOn(error) || options.signal?.aborted) throw error;
      await options.backoff?.wait(options.signal);
      if (options.signal?.aborted) throw error;
    }
  }
};
