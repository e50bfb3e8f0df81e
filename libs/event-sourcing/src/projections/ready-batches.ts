/**
 * Groups a subscription's events into batches of what is already there: events the subscription
 * holds in memory arrive within microtasks, before a setImmediate fires, so a batch closes when the
 * next event would need I/O (or at `maxSize`). Following $all then costs one transaction per page.
 */
import type { GlobalPosition, RecordedEvent } from '../envelope.js';
import type { EventStore } from '../event-store.js';

const nothingReady = Symbol('nothing ready');
const afterMicrotasks = (): Promise<typeof nothingReady> =>
  new Promise((resolve) => setImmediate(() => resolve(nothingReady)));

/** `stop` ends the source when the caller stops early, so the source's pending read can finish. */
export async function* readyBatches<T>(
  source: AsyncIterable<T>,
  maxSize: number,
  stop?: () => void,
): AsyncGenerator<T[]> {
  const iterator = source[Symbol.asyncIterator]();
  let pending = iterator.next();
  try {
    for (;;) {
      const first = await pending;
      if (first.done) return;
      const batch = [first.value];
      pending = iterator.next();
      const ready = afterMicrotasks();
      let next: IteratorResult<T> | typeof nothingReady = nothingReady;
      while (batch.length < maxSize) {
        next = await Promise.race([pending, ready]);
        if (next === nothingReady || next.done) break;
        batch.push(next.value);
        pending = iterator.next();
      }
      yield batch;
      if (next !== nothingReady && next.done) return;
    }
  } finally {
    pending.catch(() => undefined); // a read still in flight when the caller stops: nobody wants its outcome
    stop?.();
    await iterator.return?.();
  }
}

/**
 * Follows $all (after `after`, until the signal aborts) a page of ready events at a time. Leaving the
 * loop early (an apply that throws) also ends the subscription, which would otherwise wait for the
 * next append before it could be closed.
 */
export const followInPages = (
  store: EventStore,
  options: {
    after?: GlobalPosition | null;
    categories?: readonly string[];
    pageSize: number;
    signal: AbortSignal;
  },
): AsyncGenerator<RecordedEvent[]> => {
  const early = new AbortController();
  const events = store.subscribeToAll({
    after: options.after ?? undefined,
    categories: options.categories,
    maxCount: options.pageSize,
    signal: AbortSignal.any([options.signal, early.signal]),
  });
  return readyBatches(events, options.pageSize, () => early.abort());
};
