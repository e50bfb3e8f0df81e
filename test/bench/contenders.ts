/**
 * The three ways of appending that the event store suite compares, behind one small interface:
 *   ours   — PostgresEventStore.appendToStream (plpgsql observa_append, one round trip)
 *   emmett — @event-driven-io/emmett-postgresql's appendToStream (BEGIN, emt_append_to_stream, COMMIT)
 *   raw    — a plain INSERT through pg into an equivalent table: the floor for one statement per append
 * Every contender gets its own pool of the same size.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { getPostgreSQLEventStore } from '@event-driven-io/emmett-postgresql';
import type { Event as EmmettEvent } from '@event-driven-io/emmett';
import type { NewEvent } from '#event-sourcing';
import { migrate, openDatabase, PostgresEventStore } from '#eventstore-postgres';
import { installPgParsers, type PgParsers, snapshotPgParsers } from './db.js';

export type Appender = {
  /** Appends `events` to `streamId`, whose last event is at `head` (-1n: the stream is new), expecting exactly that. */
  append(streamId: string, events: readonly NewEvent[], head: bigint): Promise<void>;
  /** Events in the contender's table, to check that the work counted was really done. */
  count(): Promise<number>;
  /** Called before / after each of this contender's runs (Emmett installs its pg parsers). */
  activate?(): void;
  deactivate?(): void;
  close(): Promise<void>;
};

export type AppendContender = {
  readonly name: string;
  open(url: string, connections: number): Promise<Appender>;
};

const countRows = async (pool: pg.Pool, table: string): Promise<number> =>
  Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);

// A realistic small observation event: ~250 bytes of data, ~250 bytes of metadata.
const MISSION = randomUUID();
export const newEvent = (sequence: number): NewEvent => {
  const commandId = randomUUID();
  return {
    eventId: randomUUID(),
    type: 'ObservationRecorded',
    schemaVersion: 1,
    data: {
      pollingStationId: 'PS-0427',
      formId: 'opening-checklist',
      questionId: 'q17',
      answer: 'yes',
      note: 'queue of about forty voters at opening, ballot box sealed in front of observers',
      sequence,
    },
    metadata: {
      missionId: MISSION,
      actor: { userId: 'user-0001', role: 'observer' },
      correlationId: commandId,
      causationId: commandId,
      commandId,
      occurredAt: new Date().toISOString(),
    },
  };
};

export const ours: AppendContender = {
  name: 'ours',
  async open(url, connections) {
    const database = await openDatabase({ url, maxConnections: connections });
    await migrate(database.pool);
    const store = new PostgresEventStore(database.pool);
    return {
      async append(streamId, events, head) {
        await store.appendToStream(streamId, events, head < 0n ? 'no_stream' : head);
      },
      count: () => countRows(database.pool, 'observa_events'),
      async close() {
        await store.close();
        await database.close();
      },
    };
  },
};

type EmmettObservation = EmmettEvent<string, NewEvent['data'], Record<string, unknown>>;

/** The pg parsers Emmett installs the first time it opens a pool (it never does so again). */
let emmettParsers: PgParsers | undefined;

export const emmett: AppendContender = {
  name: 'emmett',
  async open(url, connections) {
    // Emmett's own pool would be pg's default size (10); hand it one of the same size as the others.
    const pool = new pg.Pool({ connectionString: url, max: connections });
    pool.on('error', () => undefined);
    const others = snapshotPgParsers();
    const store = getPostgreSQLEventStore(url, { connectionOptions: { pool } });
    await store.schema.migrate();
    emmettParsers ??= snapshotPgParsers();
    installPgParsers(others);
    let outside = others;
    return {
      activate() {
        outside = snapshotPgParsers();
        installPgParsers(emmettParsers!);
      },
      deactivate: () => installPgParsers(outside),
      async append(streamId, events, head) {
        const messages: EmmettObservation[] = events.map((e) => ({
          type: e.type,
          data: e.data,
          metadata: { ...e.metadata, eventId: e.eventId },
        }));
        // Emmett's stream positions start at 1; 0 means "no stream yet" and is checked exactly.
        await store.appendToStream(streamId, messages, { expectedStreamVersion: head + 1n });
      },
      count: () => countRows(pool, 'emt_messages'),
      async close() {
        await store.close();
        await pool.end();
      },
    };
  },
};

export const RAW_TABLE_SQL = `
CREATE TABLE raw_events (
  global_position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id        uuid NOT NULL,
  stream_id       text NOT NULL,
  stream_version  bigint NOT NULL,
  type            text NOT NULL,
  data            jsonb NOT NULL,
  metadata        jsonb NOT NULL,
  UNIQUE (stream_id, stream_version)
)`;

/** `INSERT ... VALUES (...), (...)` for n rows: one statement, one round trip. */
const rawInsert = (rows: number): string =>
  'INSERT INTO raw_events (event_id, stream_id, stream_version, type, data, metadata) VALUES ' +
  Array.from(
    { length: rows },
    (_, r) => `(${[1, 2, 3, 4, 5, 6].map((c) => `$${r * 6 + c}`).join(', ')})`,
  ).join(', ');

export const raw: AppendContender = {
  name: 'raw',
  async open(url, connections) {
    const pool = new pg.Pool({ connectionString: url, max: connections });
    pool.on('error', () => undefined);
    await pool.query(RAW_TABLE_SQL);
    const statements = new Map<number, string>();
    return {
      async append(streamId, events, head) {
        let text = statements.get(events.length);
        if (!text) statements.set(events.length, (text = rawInsert(events.length)));
        const values: unknown[] = [];
        events.forEach((e, i) =>
          values.push(
            e.eventId,
            streamId,
            (head + 1n + BigInt(i)).toString(),
            e.type,
            JSON.stringify(e.data),
            JSON.stringify(e.metadata),
          ),
        );
        // The unique (stream_id, stream_version) is the expected-version check: a conflict fails the insert.
        await pool.query({ name: `raw_insert_${events.length}`, text, values });
      },
      count: () => countRows(pool, 'raw_events'),
      close: () => pool.end(),
    };
  },
};
