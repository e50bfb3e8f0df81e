/** Store instrumentation against the embedded store (PGlite), not a stand-in. */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { VersionConflict, type EventStore, type NewEvent } from '#event-sourcing';
import { migrate, openDatabase, PostgresEventStore, type Database } from '#eventstore-postgres';
import { instrumentStore, Metrics } from './metrics.js';

const arrived = (): NewEvent => ({
  eventId: randomUUID(),
  type: 'ObserverArrived',
  schemaVersion: 1,
  data: { station: 'BSK-012' },
  metadata: { occurredAt: '2023-11-30T07:40:00.000Z' },
});

const appendedTotal = async (metrics: Metrics): Promise<number> =>
  (await metrics.eventsAppended.get()).values[0]?.value ?? 0;

describe('an instrumented event store', () => {
  let database: Database;
  let store: EventStore;
  const metrics = new Metrics();

  beforeAll(async () => {
    database = await openDatabase({ dataDir: 'memory://' });
    await migrate(database.pool);
    store = instrumentStore(new PostgresEventStore(database.pool), metrics);
  });
  afterAll(() => database?.close());

  it('counts the events an append writes, and times it', async () => {
    const stream = `visit-${randomUUID()}`;
    const events = [arrived(), arrived()];
    await store.appendToStream(stream, events, 'no_stream');
    expect(await appendedTotal(metrics)).toBe(2);
    expect(await metrics.render()).toMatch(
      /^observa_append_duration_seconds_count\{outcome="appended"\} 1$/m,
    );

    // A retried command: the same event ids, nothing new written.
    await store.appendToStream(stream, events, 'any');
    expect(await appendedTotal(metrics)).toBe(2);
    expect(await metrics.render()).toMatch(
      /^observa_append_duration_seconds_count\{outcome="unchanged"\} 1$/m,
    );
  });

  it('tells conflicts apart, and lets the error through', async () => {
    const stream = `visit-${randomUUID()}`;
    await store.appendToStream(stream, [arrived()], 'no_stream');
    await expect(store.appendToStream(stream, [arrived()], 'no_stream')).rejects.toBeInstanceOf(
      VersionConflict,
    );
    const text = await metrics.render();
    expect(text).toMatch(/^observa_append_duration_seconds_count\{outcome="conflict"\} 1$/m);
  });

  it('passes reads through untouched', async () => {
    const stream = `visit-${randomUUID()}`;
    await store.appendToStream(stream, [arrived()], 'no_stream');
    expect(await store.readStream(stream)).toHaveLength(1);
    expect((await store.headPosition()).commit).toBeGreaterThan(0n);
  });
});

describe('lag gauges', () => {
  it('export no relay lag where no relay runs (a gateway): 0 would claim a relay that is caught up', async () => {
    const text = await new Metrics().render();
    expect(text).not.toMatch(/observa_relay_lag_events/);
  });

  it('show what other code sets', async () => {
    const metrics = new Metrics();
    metrics.setRelayLag(17);
    metrics.setProjectionLag('coverage', 3);
    const text = await metrics.render();
    expect(text).toMatch(/^observa_relay_lag_events 17$/m);
    expect(text).toMatch(/^observa_projection_lag_events\{projection="coverage"\} 3$/m);
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
  });
});
