/** The command path on a real Postgres server: decide, append at the read version, retry, stay idempotent. */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { openDatabase, migrate, PostgresEventStore, type Database } from '#eventstore-postgres';
import { createTestDatabase, type TestDatabase } from '#testing';
import { CommandHandler } from './command-handler.js';
import type { Decider } from './decider.js';
import { DomainRuleBroken, IdempotencyMismatch } from './errors.js';
import { findChainBreak } from './hash-chain.js';
import { Upcasters } from './upcasting.js';

// A station's visit log: small enough to read at a glance, with one rule to break.
type VisitEvent =
  | { type: 'VisitPlanned'; data: { station: string; capacity: number } }
  | { type: 'ObserverArrived'; data: { observer: string } };
type VisitCommand =
  { type: 'PlanVisit'; station: string; capacity: number } | { type: 'Arrive'; observer: string };
type Visit = { planned: boolean; capacity: number; observers: string[] };

const visit: Decider<Visit, VisitCommand, VisitEvent> = {
  initialState: () => ({ planned: false, capacity: 0, observers: [] }),
  evolve: (state, event) =>
    event.type === 'VisitPlanned'
      ? { ...state, planned: true, capacity: event.data.capacity }
      : { ...state, observers: [...state.observers, event.data.observer] },
  decide: (command, state) => {
    if (command.type === 'PlanVisit') {
      if (state.planned) throw new DomainRuleBroken('the visit is already planned');
      return [{ type: 'VisitPlanned', data: { station: command.station, capacity: command.capacity } }];
    }
    if (!state.planned) throw new DomainRuleBroken('plan the visit first');
    if (state.observers.length >= state.capacity) throw new DomainRuleBroken('the team is full');
    return [{ type: 'ObserverArrived', data: { observer: command.observer } }];
  },
};

describe('command handler (Postgres server)', () => {
  let testDb: TestDatabase;
  let database: Database;
  let store: PostgresEventStore;
  let handler: CommandHandler;
  const fixedNow = new Date('2023-11-30T07:00:00Z');

  beforeAll(async () => {
    testDb = await createTestDatabase();
    database = await openDatabase({ url: testDb.url, maxConnections: 12 });
    await migrate(database.pool);
    store = new PostgresEventStore(database.pool);
    handler = new CommandHandler(store, { now: () => fixedNow });
  });
  afterAll(async () => {
    await database.close();
    await testDb.drop();
  });

  it('appends what the decider decides, with the command context in the metadata', async () => {
    const stream = `visit-${randomUUID()}`;
    const result = await handler.handle(
      visit,
      stream,
      { type: 'PlanVisit', station: 'KG-0001', capacity: 2 },
      {
        commandId: 'cmd-1',
        missionId: 'mission-kg-2023',
        actor: { userId: 'lead-1', role: 'team_lead' },
        correlationId: 'corr-1',
      },
    );
    expect(result).toMatchObject({ streamVersion: 0n, appended: true });
    const [event] = await store.readStream(stream);
    expect(event.eventId).toBe(result.eventIds[0]);
    expect(event.metadata).toMatchObject({
      missionId: 'mission-kg-2023',
      actor: { userId: 'lead-1', role: 'team_lead' },
      correlationId: 'corr-1',
      commandId: 'cmd-1',
      occurredAt: fixedNow.toISOString(),
    });
  });

  it('answers a retried command with the first answer and writes nothing new', async () => {
    const stream = `visit-${randomUUID()}`;
    const first = await handler.handle(
      visit,
      stream,
      { type: 'PlanVisit', station: 'KG-2', capacity: 1 },
      { commandId: 'c-9' },
    );
    const again = await handler.handle(
      visit,
      stream,
      { type: 'PlanVisit', station: 'KG-2', capacity: 1 },
      { commandId: 'c-9' },
    );
    expect(again).toEqual({ ...first, appended: false });
    expect(await store.readStream(stream)).toHaveLength(1);
  });

  it('refuses a command id replayed with a different request, writing nothing', async () => {
    const stream = `visit-${randomUUID()}`;
    await handler.handle(
      visit,
      stream,
      { type: 'PlanVisit', station: 'KG-2', capacity: 1 },
      { commandId: 'c-10' },
    );
    await expect(
      handler.handle(
        visit,
        stream,
        { type: 'PlanVisit', station: 'KG-2', capacity: 5 },
        { commandId: 'c-10' },
      ),
    ).rejects.toBeInstanceOf(IdempotencyMismatch);
    expect(await store.readStream(stream)).toHaveLength(1);
  });

  it('refuses what the rules forbid and writes nothing', async () => {
    const stream = `visit-${randomUUID()}`;
    await expect(handler.handle(visit, stream, { type: 'Arrive', observer: 'o-1' })).rejects.toBeInstanceOf(
      DomainRuleBroken,
    );
    expect(await store.readStream(stream)).toEqual([]);
  });

  it('decides again on a version conflict, so concurrent commands all land or are refused by the rules', async () => {
    const stream = `visit-${randomUUID()}`;
    await handler.handle(visit, stream, { type: 'PlanVisit', station: 'KG-3', capacity: 3 });
    const outcomes = await Promise.allSettled(
      ['a', 'b', 'c', 'd', 'e'].map((observer) =>
        new CommandHandler(store, { maxAttempts: 10 }).handle(visit, stream, { type: 'Arrive', observer }),
      ),
    );
    const refused = outcomes
      .filter((o) => o.status === 'rejected')
      .map((o) => (o as PromiseRejectedResult).reason);
    expect(refused).toHaveLength(2);
    refused.forEach((reason) => expect(reason).toBeInstanceOf(DomainRuleBroken));
    const events = await store.readStream(stream);
    expect(events.map((e) => e.type)).toEqual([
      'VisitPlanned',
      'ObserverArrived',
      'ObserverArrived',
      'ObserverArrived',
    ]);
  });

  it('folds old schema versions through upcasters, leaving the stored event as it was', async () => {
    const stream = `visit-${randomUUID()}`;
    // Version 1 of VisitPlanned had no capacity: teams were always pairs.
    await store.appendToStream(
      stream,
      [
        {
          eventId: randomUUID(),
          type: 'VisitPlanned',
          schemaVersion: 1,
          data: { station: 'KG-4' },
          metadata: { occurredAt: fixedNow.toISOString() },
        },
      ],
      'no_stream',
    );
    const upcasting = new CommandHandler(store, {
      upcasters: new Upcasters([
        { type: 'VisitPlanned', fromVersion: 1, upcast: (data) => ({ ...data, capacity: 2 }) },
      ]),
    });
    const { state } = await upcasting.load(visit, stream);
    expect(state.capacity).toBe(2);
    await upcasting.handle(visit, stream, { type: 'Arrive', observer: 'o-1' });
    await upcasting.handle(visit, stream, { type: 'Arrive', observer: 'o-2' });
    await expect(upcasting.handle(visit, stream, { type: 'Arrive', observer: 'o-3' })).rejects.toThrow(
      'the team is full',
    );
    const [stored] = await store.readStream(stream);
    expect(stored).toMatchObject({ schemaVersion: 1, data: { station: 'KG-4' } });
  });

  it('names the first altered event when someone rewrites history in the database', async () => {
    const stream = `visit-${randomUUID()}`;
    await handler.handle(visit, stream, { type: 'PlanVisit', station: 'KG-5', capacity: 3 });
    for (const observer of ['o-1', 'o-2', 'o-3'])
      await handler.handle(visit, stream, { type: 'Arrive', observer });
    expect(findChainBreak(await store.readStream(stream))).toBeNull();

    await database.pool.query(
      `UPDATE observa_events SET data = jsonb_set(data, '{observer}', '"someone-else"') WHERE stream_id = $1 AND stream_version = 2`,
      [stream],
    );
    expect(findChainBreak(await store.readStream(stream))).toMatchObject({
      streamVersion: 2n,
      reason: 'content does not match its hash',
    });

    await database.pool.query(`DELETE FROM observa_events WHERE stream_id = $1 AND stream_version = 1`, [
      stream,
    ]);
    expect(findChainBreak(await store.readStream(stream))).toMatchObject({
      streamVersion: 2n,
      reason: 'expected version 1',
    });
  });
});
