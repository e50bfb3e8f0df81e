/**
 * An operator's day with the broker (issue 8), on a broker of this spec's own (BreakableBroker, port
 * 29092: the shared one is never stopped): two context processes on one Postgres database, as
 * `npm run start:distributed` runs them. The "tallies" context appends tally events and keeps its own
 * view of them; the "ledger" context keeps a view of the same events, which it can only have through
 * Kafka. Every acknowledged append must reach each view exactly once, through a broker stopped, then
 * wiped, with no process restarted.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import pg from 'pg';
import { EntitySchema, type EntityManager } from 'typeorm';
import { EVENT_STORE, type EventStore, type RecordedEvent } from '#event-sourcing';
import type { Projection } from '#event-sourcing/projections';
import { loadConfig, ProjectionHost, ReadModelTables } from '#platform';
import { BreakableBroker, createTestDatabase, newEvent, uniqueName, type TestDatabase } from '#testing';
import type { ContextDefinition } from './context-definition.js';
import { contextHost, type ContextHost } from './context-host.js';
import { contextEndpoint } from './grpc-endpoint.js';
import { freePort } from './one-process-platform.js';

const TALLIES = uniqueName('tallies');
const LEDGER = uniqueName('ledger');
const TALLY = 'tally';

type Receipt = { eventId: string; deliveries: number };

/** A view that counts how often each event reached it: 2 anywhere is a doubled effect. */
const receiptsView = (name: string, table: string) => {
  const entity = new EntitySchema<Receipt>({
    name: `${table}-receipt`,
    tableName: table,
    columns: {
      eventId: { type: 'uuid', primary: true, name: 'event_id' },
      deliveries: { type: Number },
    },
  });
  const projection: Projection = {
    name,
    categories: [TALLY],
    entities: [entity],
    async apply(event: RecordedEvent, tx: EntityManager) {
      await tx.query(
        `INSERT INTO ${table} (event_id, deliveries) VALUES ($1, 1)
         ON CONFLICT (event_id) DO UPDATE SET deliveries = ${table}.deliveries + 1`,
        [event.eventId],
      );
    },
    reset: (tx: EntityManager) => tx.clear(entity),
  };
  const tables = {
    owner: `${name}-read-model`,
    migrations: [
      {
        version: 1,
        name: table,
        sql: `CREATE TABLE ${table} (event_id uuid PRIMARY KEY, deliveries integer NOT NULL)`,
      },
    ],
  };
  @Module({ imports: [ReadModelTables.forFeature([entity], tables)] })
  class ViewModule implements OnModuleInit {
    constructor(@Inject(ProjectionHost) private readonly projections: ProjectionHost) {}
    onModuleInit(): void {
      this.projections.register(projection);
    }
  }
  return ViewModule;
};

const talliesContext: ContextDefinition = {
  name: TALLIES,
  module: receiptsView('own-tallies', 'own_tallies'),
  categories: [TALLY],
};

const ledgerContext: ContextDefinition = {
  name: LEDGER,
  module: receiptsView('ledger-tallies', 'ledger_tallies'),
  categories: ['entry'],
  reads: { [TALLY]: TALLIES },
};

/** A gRPC service for the hosts' endpoint (its contexts have no typed service: this spec sends them no call). */
const endpoint = () => {
  const dir = mkdtempSync(join(tmpdir(), 'observa-faults-proto-'));
  mkdirSync(join(dir, 'observa', 'faults', 'v1'), { recursive: true });
  writeFileSync(
    join(dir, 'observa', 'faults', 'v1', 'faults.proto'),
    `syntax = "proto3";
package observa.faults.v1;
service FaultsService {
  rpc Ping(PingRequest) returns (PingResponse);
}
message PingRequest {}
message PingResponse {}
`,
  );
  return contextEndpoint('faults', [dir]);
};

const eventually = async (what: string, probe: () => Promise<boolean>, timeoutMs = 120_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
};

describe('distributed mode through broker faults (own broker on KAFKA_BREAKABLE_PORT)', () => {
  const broker = new BreakableBroker();
  let database: TestDatabase;
  let sql: pg.Pool;
  let tallies: ContextHost;
  let ledger: ContextHost;
  let store: EventStore;
  const acknowledged = new Set<string>();
  const groupPrefixes = new Map<string, string>();

  /** The context's process; started again, it is the same consumer groups. */
  const host = async (definition: ContextDefinition): Promise<ContextHost> => {
    const groupPrefix = groupPrefixes.get(definition.name) ?? `${uniqueName('faults')}.`;
    groupPrefixes.set(definition.name, groupPrefix);
    const started = await contextHost(definition, {
      config: loadConfig({
        DATABASE_URL: database.url,
        KAFKA_BROKERS: broker.brokers.join(','),
        LOG_LEVEL: (process.env.SPEC_LOG_LEVEL ?? 'silent') as 'silent',
      }),
      kafka: broker.client(`faults-${definition.name}`),
      grpcUrl: `127.0.0.1:${await freePort()}`,
      endpoint: endpoint(),
      groupPrefix,
    });
    await started.start(0, '127.0.0.1');
    return started;
  };

  /** One tally event per call, counted once its append returned. */
  const appendTally = async (): Promise<void> => {
    const result = await store.appendToStream(
      `${TALLY}-${randomUUID()}`,
      [newEvent('Tallied', {})],
      'no_stream',
    );
    for (const event of result.events) acknowledged.add(event.eventId);
  };

  const view = async (table: string): Promise<Receipt[]> =>
    (await sql.query<Receipt>(`SELECT event_id AS "eventId", deliveries FROM ${table}`)).rows;

  /** Every acknowledged event in the view, each once, nothing else. */
  const exactlyOnce = async (table: string): Promise<boolean> => {
    const rows = await view(table);
    return rows.length === acknowledged.size && rows.every((r) => acknowledged.has(r.eventId));
  };

  const health = async (app: ContextHost) => {
    const response = await fetch(`${app.operations.url}/health`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  const metric = async (app: ContextHost, line: RegExp): Promise<number | undefined> => {
    const text = await (await fetch(`${app.operations.url}/metrics`)).text();
    const match = line.exec(text);
    return match ? Number(match[1]) : undefined;
  };

  beforeAll(async () => {
    await broker.start();
    database = await createTestDatabase();
    sql = new pg.Pool({ connectionString: database.url, max: 2 });
    tallies = await host(talliesContext);
    ledger = await host(ledgerContext);
    store = tallies.app.get(EVENT_STORE, { strict: false });
    for (let i = 0; i < 20; i++) await appendTally();
    await eventually('the ledger to see the first tallies', () => exactlyOnce('ledger_tallies'));
  }, 300_000);

  afterAll(async () => {
    await ledger?.close();
    await tallies?.close();
    await sql?.end();
    await database?.drop();
    await broker.stop();
  }, 120_000);

  it('keeps a context’s own view current from its store while the broker is down, and says so on /health', async () => {
    await broker.stop();
    for (let i = 0; i < 30; i++) await appendTally();

    await eventually('the own view to have every tally', () => exactlyOnce('own_tallies'), 30_000);
    const brokerPart = async () =>
      ((await health(tallies)).body.parts as { part: string; status: string }[]).find(
        (p) => p.part === 'broker',
      );
    await eventually(
      '/health to report the broker unreachable',
      async () => (await brokerPart())?.status === 'degraded',
      60_000,
    );
    const { status, body } = await health(tallies);
    expect(status).toBe(200);
    expect(body.parts).toContainEqual(
      expect.objectContaining({
        part: 'broker',
        status: 'degraded',
        reason: expect.stringMatching(/does not answer/),
      }),
    );
    expect((await view('ledger_tallies')).length).toBeLessThan(acknowledged.size); // it could not know yet
  }, 120_000);

  it('delivers what was appended while the broker was down once it is back, with no process restarted', async () => {
    await broker.start();
    await eventually('the ledger to catch up', () => exactlyOnce('ledger_tallies'));
    await eventually('both processes to be healthy again', async () => {
      const [t, l] = await Promise.all([health(tallies), health(ledger)]);
      return t.body.status === 'ok' && l.body.status === 'ok';
    });
    expect(await metric(tallies, /^observa_relay_lag_events (\d+)$/m)).toBe(0);
    await eventually(
      'the ledger’s Kafka lag to read 0',
      async () =>
        (await metric(ledger, /^observa_projection_lag_events\{projection="ledger-tallies"\} (\d+)$/m)) === 0,
      30_000,
    );
  }, 300_000);

  it('after the broker is wiped and started again under load, every acknowledged event reaches the other context once', async () => {
    let writing = true;
    const failures: unknown[] = [];
    const writer = (async () => {
      while (writing) {
        await appendTally().catch((error: unknown) => failures.push(error));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();

    await new Promise((resolve) => setTimeout(resolve, 1000));
    await broker.wipe(); // stops it, deletes topics, messages and the groups' offsets
    await new Promise((resolve) => setTimeout(resolve, 3000));
    await broker.start();
    await new Promise((resolve) => setTimeout(resolve, 3000));
    writing = false;
    await writer;

    expect(failures).toEqual([]); // appends never needed the broker
    expect(acknowledged.size).toBeGreaterThan(100);
    await eventually(
      'the ledger to hold every acknowledged tally',
      () => exactlyOnce('ledger_tallies'),
      180_000,
    );
    const doubled = (await view('ledger_tallies')).filter((r) => r.deliveries !== 1);
    expect(doubled).toEqual([]);
    expect(await exactlyOnce('own_tallies')).toBe(true);
  }, 400_000);

  it('republishes what the other context had not read yet when the broker was wiped (stop, wipe, start everything)', async () => {
    await ledger.close(); // the ledger is down: what is published now waits in the broker for it
    for (let i = 0; i < 40; i++) await appendTally();
    await eventually(
      'the relay to have published every tally',
      async () => (await metric(tallies, /^observa_relay_lag_events (\d+)$/m)) === 0,
      60_000,
    );
    expect((await view('ledger_tallies')).length).toBe(acknowledged.size - 40);

    await broker.wipe(); // those 40 were only in the broker
    await broker.start();
    for (let i = 0; i < 10; i++) await appendTally();
    ledger = await host(ledgerContext);

    await eventually(
      'the ledger to hold every acknowledged tally',
      () => exactlyOnce('ledger_tallies'),
      180_000,
    );
    expect((await view('ledger_tallies')).filter((r) => r.deliveries !== 1)).toEqual([]);
  }, 400_000);
});
