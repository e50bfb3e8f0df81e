/** Follows $all by reading pages after a position; wakes early when told something was appended. */
import type { GlobalPosition, RecordedEvent } from './envelope.js';
import type { ReadAllOptions, SubscribeOptions } from './event-store.js';

export type PageReader = (options: ReadAllOptions) => Promise<RecordedEvent[]>;

/** A wake-up that resolves when an append is seen (in this process) or after `ms`. */
export class AppendSignal {
  private waiters = new Set<() => void>();

  notify(): void {
    const waiters = this.waiters;
    this.waiters = new Set();
    for (const wake of waiters) wake();
  }

  wait(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}

export async function* followAll(
  read: PageReader,
  appended: AppendSignal,
  options: SubscribeOptions & { idleMs?: number } = {},
): AsyncGenerator<RecordedEvent> {
  const pageSize = options.maxCount ?? 500;
  const idleMs = options.idleMs ?? 250;
  let after: GlobalPosition | undefined = options.after;
  while (!options.signal?.aborted) {
    const page = await read({ after, maxCount: pageSize, categories: options.categories });
    for (const event of page) {
      if (options.signal?.aborted) return;
      yield event;
      after = event.globalPosition;
    }
    if (page.length < pageSize) await appended.wait(idleMs, options.signal);
  }
}
