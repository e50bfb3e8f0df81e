/**
 * The sequence-gap problem on a real Postgres server: positions come from a sequence, so a writer can
 * hold a lower position while a later writer commits first. A follower of $all must still see every
 * committed event exactly once, none that rolled back, and each stream in order.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { comparePositions, type EventStore, type GlobalPosition, type RecordedEvent } from '#event-sourcing';
import { createTestDatabase, newEvent, type TestDatabase } from '#testing';
import { migrate } from './migrate.js';
import { PostgresEventStore } from './postgres-event-store.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A store whose every statement runs on one checked-out client: lets a test hold a transaction open. */
const storeInTransaction = (client: pg.PoolClient): EventStore =>
  new PostgresEventStore({
    connect: async () => ({ query: client.query.bind(client), release: () => undefined }),
  } as unknown as pg.Pool);

describe('following $all while transactions commit out of order (Postgres server)', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let store: PostgresEventStore;

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = new pg.Pool({ connectionString: database.url, max: 24 });
    await migrate(pool);
    store = new PostgresEventStore(pool);
  });
  afterAll(async () => {
    await pool.end();
    await database.drop();
  });

  const drain = async (after?: GlobalPosition): Promise<RecordedEvent[]> => {
    const seen: RecordedEvent[] = [];
    for (;;) {
      const page = await store.readAll({ after: seen.at(-1)?.globalPosition ?? after, maxCount: 100 });
      if (page.length === 0) return seen;
      seen.push(...page);
    }
  };

  it('does not pass an open transaction holding a lower position, where a reader by position alone would', async () => {
    const start = await store.headPosition();
    const slow = await pool.connect();
    await slow.query('BEGIN');
    const first = await storeInTransaction(slow).appendToStream(
      `visit-${randomUUID()}`,
      [newEvent()],
      'no_stream',
    );
    const second = await store.appendToStream(`visit-${randomUUID()}`, [newEvent()], 'no_stream');
    expect(second.events[0].globalPosition.prepare).toBeGreaterThan(first.events[0].globalPosition.prepare);

    // By sequence alone the committed later event is visible now, and a checkpoint would move past the open one.
    const { rows } = await pool.query(
      'SELECT global_position FROM observa_events WHERE global_position > $1',
      [start.prepare.toString()],
    );
    expect(rows.map((r) => BigInt(r.global_position))).toEqual([second.events[0].globalPosition.prepare]);
    // Our reader waits instead: nothing is returned while the lower position may still commit.
    expect(await store.readAll({ after: start })).toEqual([]);

    await slow.query('COMMIT');
    slow.release();
    const seen = await drain(start);
    expect(seen.map((e) => e.eventId)).toEqual([first.events[0].eventId, second.events[0].eventId]);
  });

  it('sees every committed event exactly once, none rolled back, each stream in order, under concurrent writers', async () => {
    const start = await store.headPosition();
    // Plain appends share streams (contention, retried); a held-open transaction writes its writer's own
    // streams, since a conflict inside a caller's transaction aborts that transaction.
    const shared = Array.from({ length: 10 }, () => `station-${randomUUID()}`);
    const own = Array.from({ length: 16 }, () => Array.from({ length: 3 }, () => `visit-${randomUUID()}`));
    const committed = new Set<string>();
    const rolledBack = new Set<string>();
    let writing = true;

    const follower = (async () => {
      const seen: RecordedEvent[] = [];
      let after = start;
      while (writing) {
        const page = await store.readAll({ after, maxCount: 50 });
        seen.push(...page);
        if (page.length > 0) after = page[page.length - 1].globalPosition;
        else await sleep(2);
      }
      return seen.concat(await drain(after));
    })();

    const writer = async (w: number) => {
      for (let i = 0; i < 40; i++) {
        const batch = [newEvent('VisitAssigned', { w, i }), newEvent('ObserverArrived', { w, i })];
        const mode = (w + i) % 5; // 0,1: plain; 2,3: held open then committed; 4: held open then rolled back
        if (mode < 2) {
          await store.appendToStream(shared[(w * 7 + i) % shared.length], batch, 'any');
          batch.forEach((e) => committed.add(e.eventId));
          continue;
        }
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          await storeInTransaction(client).appendToStream(own[w][i % 3], batch, 'any');
          await sleep(1 + ((w * 13 + i * 7) % 25));
          if (mode === 4) {
            await client.query('ROLLBACK');
            batch.forEach((e) => rolledBack.add(e.eventId));
          } else {
            await client.query('COMMIT');
            batch.forEach((e) => committed.add(e.eventId));
          }
        } catch (error) {
          await client.query('ROLLBACK');
          throw error;
        } finally {
          client.release();
        }
      }
    };

    try {
      await Promise.all(Array.from({ length: 16 }, (_, w) => writer(w)));
    } finally {
      writing = false;
    }
    const seen = await follower;

    const ids = seen.map((e) => e.eventId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => rolledBack.has(id))).toEqual([]);
    expect(new Set(ids)).toEqual(committed);
    expect(committed.size).toBeGreaterThan(800);
    expect(rolledBack.size).toBeGreaterThan(100);

    for (let i = 1; i < seen.length; i++)
      expect(comparePositions(seen[i - 1].globalPosition, seen[i].globalPosition)).toBeLessThan(0);
    const lastVersion = new Map<string, bigint>();
    for (const event of seen) {
      const previous = lastVersion.get(event.streamId) ?? -1n;
      expect(event.streamVersion).toBe(previous + 1n);
      lastVersion.set(event.streamId, event.streamVersion);
    }
  });
});
