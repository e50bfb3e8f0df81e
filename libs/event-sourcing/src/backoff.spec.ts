import { getEventListeners } from 'node:events';
import { describe, expect, it } from '@jest/globals';
import { Backoff, pause, retry } from './backoff.js';

describe('a backoff', () => {
  it('doubles from the first wait and stops at the longest', () => {
    const backoff = new Backoff({ firstMs: 250, longestMs: 5000 });
    expect(Array.from({ length: 8 }, () => backoff.next())).toEqual([
      250, 500, 1000, 2000, 4000, 5000, 5000, 5000,
    ]);
  });

  it('starts again from the first wait once reset', () => {
    const backoff = new Backoff({ firstMs: 100, longestMs: 1000 });
    backoff.next();
    backoff.next();
    backoff.reset();
    expect(backoff.next()).toBe(100);
  });

  it('takes up to its jitter share off each wait, never more, never adding', () => {
    const lowest = new Backoff({ firstMs: 1000, longestMs: 1000, jitter: 0.5, random: () => 0.999999 });
    const highest = new Backoff({ firstMs: 1000, longestMs: 1000, jitter: 0.5, random: () => 0 });
    expect(lowest.next()).toBe(500);
    expect(highest.next()).toBe(1000);
    const real = new Backoff({ firstMs: 1000, longestMs: 1000, jitter: 0.2 });
    for (let i = 0; i < 100; i++) expect(real.next()).toBeGreaterThanOrEqual(800);
  });

  it.each([
    { firstMs: -1, longestMs: 10 },
    { firstMs: 10, longestMs: 5 },
    { firstMs: 1, longestMs: 5, jitter: 1.5 },
  ])('refuses bounds that make no sense: %j', (options) =>
    expect(() => new Backoff(options)).toThrow(RangeError),
  );

  it('ends a wait at once when the signal aborts', async () => {
    const controller = new AbortController();
    const waited = new Backoff({ firstMs: 60_000, longestMs: 60_000 }).wait(controller.signal);
    controller.abort();
    await expect(waited).resolves.toBe(60_000);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});

describe('pause between retries', () => {
  it('leaves no listener on the signal once the time is up, however often it waits', async () => {
    const signal = new AbortController().signal;
    for (let i = 0; i < 50; i++) await pause(0, signal);
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });
});

class Raced extends Error {}

describe('retry', () => {
  it('tries again while the failure is worth it, and answers the first success', async () => {
    const tried: number[] = [];
    const answer = await retry(
      async (attempt) => {
        tried.push(attempt);
        if (attempt < 3) throw new Raced();
        return 'appended';
      },
      { attempts: 5, retryOn: (error) => error instanceof Raced },
    );
    expect(answer).toBe('appended');
    expect(tried).toEqual([1, 2, 3]);
  });

  it('throws the last failure once the attempts are spent', async () => {
    let tries = 0;
    await expect(
      retry(
        async () => {
          tries++;
          throw new Raced(`try ${tries}`);
        },
        { attempts: 3, retryOn: () => true },
      ),
    ).rejects.toThrow('try 3');
    expect(tries).toBe(3);
  });

  it('throws a failure not worth retrying at once', async () => {
    let tries = 0;
    await expect(
      retry(
        async () => {
          tries++;
          throw new TypeError('a bug');
        },
        { attempts: 5, retryOn: (error) => error instanceof Raced },
      ),
    ).rejects.toThrow(TypeError);
    expect(tries).toBe(1);
  });

  it('waits the backoff between attempts and stops when the signal aborts', async () => {
    const controller = new AbortController();
    let tries = 0;
    const retried = retry(
      async () => {
        tries++;
        throw new Raced();
      },
      {
        attempts: 100,
        retryOn: () => true,
        backoff: new Backoff({ firstMs: 60_000, longestMs: 60_000 }),
        signal: controller.signal,
      },
    );
    await pause(10);
    controller.abort();
    await expect(retried).rejects.toThrow(Raced);
    expect(tries).toBe(1);
  });
});
