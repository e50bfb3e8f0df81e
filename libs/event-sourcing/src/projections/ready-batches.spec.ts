import { describe, expect, it } from '@jest/globals';
import { readyBatches } from './ready-batches.js';

const later = () => new Promise((resolve) => setTimeout(resolve, 5));

/** Two pages as a store subscription would hand them out: in memory, then after a read. */
async function* pages(): AsyncGenerator<number> {
  yield* [1, 2, 3];
  await later();
  yield* [4, 5];
  await later();
}

describe('ready batches', () => {
  it('closes a batch when the next item would need I/O', async () => {
    const batches: number[][] = [];
    for await (const batch of readyBatches(pages(), 10)) batches.push(batch);
    expect(batches).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
  });

  it('closes a batch at its maximum size', async () => {
    const batches: number[][] = [];
    for await (const batch of readyBatches(pages(), 2)) batches.push(batch);
    expect(batches).toEqual([[1, 2], [3], [4, 5]]);
  });

  it('stops the source when the caller leaves early, so a source waiting for more can end', async () => {
    const stopper = new AbortController();
    async function* waitsForMore(): AsyncGenerator<number> {
      yield 1;
      await new Promise((resolve) => stopper.signal.addEventListener('abort', resolve));
    }
    for await (const batch of readyBatches(waitsForMore(), 10, () => stopper.abort())) {
      expect(batch).toEqual([1]);
      break;
    }
    expect(stopper.signal.aborted).toBe(true);
  });
});
