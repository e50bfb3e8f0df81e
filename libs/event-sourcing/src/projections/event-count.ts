/**
 * How many events of $all lie between two positions, for progress and lag. The store port has no
 * count, so this reads the events page by page; a store that learns to count can replace it.
 */
import { comparePositions, type GlobalPosition } from '../envelope.js';
import type { EventStore } from '../event-store.js';

export type CountOptions = {
  /** Exclusive; the beginning of $all when absent. */
  readonly after?: GlobalPosition | null;
  /** Inclusive. */
  readonly upTo: GlobalPosition;
  readonly categories?: readonly string[];
  /** Stop counting here: a lag of "at least this many" is enough for a metric. */
  readonly atMost?: number;
};

const PAGE = 2000;

export const countEvents = async (store: EventStore, options: CountOptions): Promise<number> => {
  const atMost = options.atMost ?? Number.POSITIVE_INFINITY;
  let after = options.after ?? undefined;
  let count = 0;
  while (count < atMost && (!after || comparePositions(after, options.upTo) < 0)) {
    const page = await store.readAll({ after, maxCount: PAGE, categories: options.categories });
    for (const event of page) {
      if (comparePositions(event.globalPosition, options.upTo) > 0 || count >= atMost) return count;
      count++;
    }
    if (page.length < PAGE) return count;
    after = page[page.length - 1].globalPosition;
  }
  return count;
};
