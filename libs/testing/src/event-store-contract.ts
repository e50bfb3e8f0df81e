/**
 * The one behaviour every event store adapter must show. Each adapter's spec calls this with a way to
 * get a store; every test uses fresh stream ids and its own category, so the suite can run against a
 * shared server (EventStoreDB) as well as a fresh database.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readYourWrites } from './read-your-writes.js';
import {
  findChainBreak,
  IdempotencyMismatch,
  InvalidEvent,
  MAX_EVENT_BYTES,
  VersionConflict,
  type EventStore,
  type NewEvent,
  type RecordedEvent,
} from '#event-sourcing';

export type StoreFactory = () => Promise<{ store: EventStore; dispose(): Promise<void> }>;

let counter = 0;
const category = () => `c${randomUUID().replace(/-/g, '').slice(0, 12)}${counter++}`;
const streamIn = (cat: string) => `${cat}-${randomUUID()}`;

export const newEvent = (
  type = 'ObserverArrived',
  data: NewEvent['data'] = { station: 'S-1' },
): NewEvent => ({
  eventId: randomUUID(),
  type,
  schemaVersion: 1,
  data,
  metadata: {
    missionId: 'm-1',
    actor: { userId: 'u-1', role: 'observer' },
    occurredAt: new Date().toISOString(),
  },
});

const events = (n: number) => Array.from({ length: n }, (_, i) => newEvent('VisitAssigned', { n: i }));

const take = async (iterable: AsyncIterable<RecordedEvent>, count: number): Promise<RecordedEvent[]> => {
  const seen: RecordedEvent[] = [];
  for await (const event of iterable) {
    seen.push(event);
    if (seen.length === count) break;
  }
  return seen;
};

export const eventStoreContract = (adapter: string, factory: StoreFactory): void =>
  describe(`event store contract: ${adapter}`, () => {
    let store: EventStore;
    let dispose: () => Promise<void>;

    beforeAll(async () => {
      ({ store, dispose } = await factory());
    });
    afterAll(async () => dispose?.());

    describe('appending with an expected version', () => {
      it('starts a new stream at version 0 with no_stream and returns versions and positions', async () => {
        const stream = streamIn(category());
        const result = await store.appendToStream(stream, events(3), 'no_stream');
        expect(result.appended).toBe(true);
        expect(result.nextExpectedVersion).toBe(2n);
        expect(result.events.map((e) => e.streamVersion)).toEqual([0n, 1n, 2n]);
        const read = await store.readStream(stream);
        expect(read.map((e) => e.data)).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }]);
        expect(read.map((e) => e.eventId)).toEqual(result.events.map((e) => e.eventId));
      });

      it('refuses no_stream on a stream that exists, writing nothing', async () => {
        const stream = streamIn(category());
        await store.appendToStream(stream, events(1), 'no_stream');
        await expect(store.appendToStream(stream, events(2), 'no_stream')).rejects.toBeInstanceOf(
          VersionConflict,
        );
        expect(await store.readStream(stream)).toHaveLength(1);
      });

      it('refuses stream_exists on a stream that does not exist', async () => {
        const stream = streamIn(category());
        await expect(store.appendToStream(stream, events(1), 'stream_exists')).rejects.toBeInstanceOf(
          VersionConflict,
        );
        expect(await store.readStream(stream)).toHaveLength(0);
        await store.appendToStream(stream, events(1), 'any');
        await store.appendToStream(stream, events(1), 'stream_exists');
        expect(await store.readStream(stream)).toHaveLength(2);
      });

      it('appends at the exact version and refuses a version behind or ahead', async () => {
        const stream = streamIn(category());
        await store.appendToStream(stream, events(2), 'no_stream');
        const behind = store.appendToStream(stream, events(1), 0n);
        await expect(behind).rejects.toBeInstanceOf(VersionConflict);
        await expect(behind).rejects.toMatchObject({ streamId: stream, actual: 1n });
        await expect(store.appendToStream(stream, events(1), 5n)).rejects.toBeInstanceOf(VersionConflict);
        const ok = await store.appendToStream(stream, events(1), 1n);
        expect(ok.nextExpectedVersion).toBe(2n);
        expect(await store.readStream(stream)).toHaveLength(3);
      });

      it('appends anywhere with any', async () => {
        const stream = streamIn(category());
        await store.appendToStream(stream, events(1), 'any');
        const second = await store.appendToStream(stream, events(1), 'any');
        expect(second.nextExpectedVersion).toBe(1n);
      });

      it('lets exactly one of many concurrent writers at the same version win', async () => {
        const stream = streamIn(category());
        await store.appendToStream(stream, events(1), 'no_stream');
        const outcomes = await Promise.allSettled(
          Array.from({ length: 8 }, () => store.appendToStream(stream, events(2), 0n)),
        );
        expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
        for (const o of outcomes.filter((o) => o.status === 'rejected'))
          expect((o as PromiseRejectedResult).reason).toBeInstanceOf(VersionConflict);
        expect(await store.readStream(stream)).toHaveLength(3);
      });
    });

    describe('atomic multi-event appends', () => {
      it('never interleaves two concurrent batches on one stream', async () => {
        const stream = streamIn(category());
        const batches = Array.from({ length: 6 }, (_, b) =>
          Array.from({ length: 5 }, (_, i) => newEvent('SectionRevised', { batch: b, i })),
        );
        await Promise.all(batches.map((batch) => store.appendToStream(stream, batch, 'any')));
        const read = await store.readStream(stream);
        expect(read).toHaveLength(30);
        for (let start = 0; start < 30; start += 5) {
          const slice = read.slice(start, start + 5).map((e) => e.data as { batch: number; i: number });
          expect(new Set(slice.map((d) => d.batch)).size).toBe(1);
          expect(slice.map((d) => d.i)).toEqual([0, 1, 2, 3, 4]);
        }
      });

      it('writes none of a batch whose expected version is wrong', async () => {
        const stream = streamIn(category());
        await store.appendToStream(stream, events(1), 'no_stream');
        await expect(store.appendToStream(stream, events(4), 3n)).rejects.toBeInstanceOf(VersionConflict);
        expect(await store.readStream(stream)).toHaveLength(1);
      });
    });

    describe('idempotent re-append', () => {
      it('appends nothing new when the same event ids arrive again', async () => {
        const stream = streamIn(category());
        const batch = events(3);
        const first = await store.appendToStream(stream, batch, 'no_stream');
        const again = await store.appendToStream(stream, batch, 'no_stream');
        expect(again.appended).toBe(false);
        expect(again.events.map((e) => e.streamVersion)).toEqual(first.events.map((e) => e.streamVersion));
        expect(await store.readStream(stream)).toHaveLength(3);
      });

      it('recognises a single event sent again, at the version it was written or at the new head', async () => {
        const stream = streamIn(category());
        await store.appendToStream(stream, events(1), 'no_stream');
        const single = newEvent();
        const first = await store.appendToStream(stream, [single], 0n);
        const sameVersion = await store.appendToStream(stream, [single], 0n);
        const atHead = await store.appendToStream(stream, [single], 1n);
        for (const again of [sameVersion, atHead]) {
          expect(again.appended).toBe(false);
          expect(again.events).toEqual(first.events);
        }
        expect(await store.readStream(stream)).toHaveLength(2);
      });

      it('refuses a batch of which only some ids are already stored', async () => {
        const stream = streamIn(category());
        const batch = events(2);
        await store.appendToStream(stream, batch, 'no_stream');
        await expect(store.appendToStream(stream, [batch[0], newEvent()], 'any')).rejects.toBeInstanceOf(
          IdempotencyMismatch,
        );
        expect(await store.readStream(stream)).toHaveLength(2);
      });
    });

    describe('refusing what cannot be stored, before writing', () => {
      const refused: [string, () => NewEvent][] = [
        ['an empty type', () => ({ ...newEvent(), type: '' })],
        ['a BigInt in data', () => ({ ...newEvent(), data: { n: 1n } as never })],
        ['a function in data', () => ({ ...newEvent(), data: { f: (() => 1) as never } })],
        ['NaN in data', () => ({ ...newEvent(), data: { n: Number.NaN } })],
        ['data that is an array', () => ({ ...newEvent(), data: [1, 2] as never })],
        ['an oversized payload', () => newEvent('Big', { blob: 'x'.repeat(MAX_EVENT_BYTES + 1) })],
        ['an event id that is not a UUID', () => ({ ...newEvent(), eventId: 'not-a-uuid' })],
      ];
      it.each(refused)('refuses %s with InvalidEvent and writes nothing', async (_, make) => {
        const stream = streamIn(category());
        await expect(store.appendToStream(stream, [newEvent(), make()], 'any')).rejects.toBeInstanceOf(
          InvalidEvent,
        );
        expect(await store.readStream(stream)).toHaveLength(0);
      });
    });

    describe('reading a stream', () => {
      it('reads forwards from a version and backwards from the end, with a limit', async () => {
        const stream = streamIn(category());
        await store.appendToStream(stream, events(5), 'no_stream');
        const forwards = await store.readStream(stream, { fromVersion: 2n });
        expect(forwards.map((e) => e.streamVersion)).toEqual([2n, 3n, 4n]);
        const backwards = await store.readStream(stream, { direction: 'backwards', maxCount: 2 });
        expect(backwards.map((e) => e.streamVersion)).toEqual([4n, 3n]);
        const middle = await store.readStream(stream, { direction: 'backwards', fromVersion: 1n });
        expect(middle.map((e) => e.streamVersion)).toEqual([1n, 0n]);
        expect(await store.readStream(streamIn(category()))).toEqual([]);
      });

      it('keeps type, schema version, data and metadata as written, chained by hash', async () => {
        const stream = streamIn(category());
        const written = {
          ...newEvent('IncidentReported', { text: 'Ballot box unsealed — урна', n: 1.5, ok: true }),
          schemaVersion: 2,
        };
        await store.appendToStream(stream, [written], 'no_stream');
        await store.appendToStream(stream, events(2), 0n);
        const [first, ...rest] = await store.readStream(stream);
        expect(first).toMatchObject({
          type: 'IncidentReported',
          schemaVersion: 2,
          streamId: stream,
          data: written.data,
        });
        expect(first.metadata).toMatchObject({ ...written.metadata, previousHash: null });
        expect(first.metadata.hash).toMatch(/^[0-9a-f]{64}$/);
        expect(rest[0].metadata.previousHash).toBe(first.metadata.hash);
        expect(findChainBreak([first, ...rest])).toBeNull();
      });
    });

    describe('reading $all', () => {
      // $all shows an append once every older transaction on the server has ended (another session's,
      // another database's): these appends return once readers of $all see them.
      const visibly = () => readYourWrites(store);
      it('returns events in commit order, after a position, filtered by category', async () => {
        const mine = category();
        const other = category();
        const a = streamIn(mine);
        const b = streamIn(mine);
        await visibly().appendToStream(a, events(2), 'no_stream');
        await visibly().appendToStream(streamIn(other), events(1), 'no_stream');
        await visibly().appendToStream(b, events(1), 'no_stream');
        await visibly().appendToStream(a, events(1), 1n);
        const all = await store.readAll({ categories: [mine], maxCount: 100 });
        expect(all.map((e) => [e.streamId, e.streamVersion])).toEqual([
          [a, 0n],
          [a, 1n],
          [b, 0n],
          [a, 2n],
        ]);
        const after = await store.readAll({ categories: [mine], after: all[1].globalPosition });
        expect(after.map((e) => e.eventId)).toEqual(all.slice(2).map((e) => e.eventId));
        const both = await store.readAll({ categories: [mine, other], after: all[0].globalPosition });
        expect(both).toHaveLength(4);
        const head = await store.headPosition();
        expect(head.commit >= all[3].globalPosition.commit).toBe(true);
      });

      it('counts what a reader would read between two positions, by category, up to a limit', async () => {
        const mine = category();
        await visibly().appendToStream(streamIn(mine), events(3), 'no_stream');
        await visibly().appendToStream(streamIn(category()), events(2), 'no_stream');
        await visibly().appendToStream(streamIn(mine), events(2), 'no_stream');
        const all = await store.readAll({ categories: [mine] });
        expect(await store.countEvents({ categories: [mine] })).toBe(5);
        expect(await store.countEvents({ categories: [mine], after: all[0].globalPosition })).toBe(4);
        expect(await store.countEvents({ categories: [mine], upTo: all[2].globalPosition })).toBe(3);
        expect(await store.countEvents({ categories: [mine], atMost: 2 })).toBe(2);
        expect(await store.countEvents({ after: all[4].globalPosition, categories: [mine] })).toBe(0);
      });

      it('subscribes from a checkpoint: the rest of the history, then what is appended later', async () => {
        const mine = category();
        const stream = streamIn(mine);
        await store.appendToStream(stream, events(3), 'no_stream');
        const [first] = await store.readAll({ categories: [mine], maxCount: 1 });
        const controller = new AbortController();
        const seen = take(
          store.subscribeToAll({
            categories: [mine],
            after: first.globalPosition,
            signal: controller.signal,
          }),
          4,
        );
        await new Promise((resolve) => setTimeout(resolve, 50));
        await store.appendToStream(stream, events(2), 2n);
        const received = await seen;
        controller.abort();
        expect(received.map((e) => e.streamVersion)).toEqual([1n, 2n, 3n, 4n]);
      });
    });
  });
