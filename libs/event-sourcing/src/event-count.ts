/** Counting by reading $all page by page, for a store that cannot count on the server (EventStoreDB). */
import { comparePositions } from './envelope.js';
import type { CountOptions, EventStore } from './event-store.js';

const PAGE = 2000;

export const countByReading = async (
  store: Pick<EventStore, 'readAll' | 'headPosition'>,
  options: CountOptions = {},
): Promise<number> => {
  const upTo = options.upTo ?? (await store.headPosition());
  const atMost = options.atMost ?? Number.POSITIVE_INFINITY;
  let after = options.after ?? undefined;
  let count = 0;
  while (count < atMost && (!after || comparePositions(after, upTo) < 0)) {
    const page = await store.readAll({ after, maxCount: PAGE, categories: options.categories });
    for (const event of page) {
      if (comparePositions(event.globalPosition, upTo) > 0 || count >= atMost) return count;
      count++;
    }
    if (page.length < PAGE) return count;
    after = page[page.length - 1].globalPosition;
  }
  return count;
};
