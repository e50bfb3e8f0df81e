/**
 * Diagnostics for the event store's append path (optional: run with `--only event-store-profile`
 * for all of them, or one of `profile-single`, `profile-batch`,
 * `profile-client`). Each variant peels off one layer between raw pg and
 * PostgresEventStore.appendToStream, all in fresh databases, interleaved like the main scenarios:
 *   raw              plain INSERT into the 6-column table (the floor)
 *   raw-schema       plain INSERT into the real observa_events (all columns, all 5 indexes), hashes made up
 *   raw-schema-3idx  the same without the category index and the (stream_id, event_id) unique index
 *   fn-direct        SELECT observa_append(...) through pg with a made-up contentHash: the server's
 *                    cost without the client's validation and hashing
 *   fn-nohash        fn-direct with the per-event sha256 chain loop replaced by a plain copy
 *   ours             PostgresEventStore.appendToStream
 * The SQL variants are built from the real migration text, so they follow it when it changes.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { canonicalJson, categoryOf, contentHash, prepareForStore, type NewEvent } from '#event-sourcing';
import { migrate, migrations } from '#eventstore-postgres';
import { appendTiming, measureAppends } from './appends.js';
import { type AppendContender, newEvent, ours, raw } from './contenders.js';
import { ratio } from './stats.js';
import type { Measurement, Ratio, Scenario, ScenarioResult } from './types.js';

const FAKE_HASH = 'f'.repeat(64);

const observaPool = async (url: string, connections: number, tweak?: string): Promise<pg.Pool> => {
  const pool = new pg.Pool({ connectionString: url, max: connections });
  pool.on('error', () => undefined);
  await migrate(pool);
  if (tweak) await pool.query(tweak);
  return pool;
};

const countEvents = async (pool: pg.Pool) =>
  Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM observa_events')).rows[0].n);

const schemaInsert = (rows: number): string =>
  'INSERT INTO observa_events (event_id, stream_id, stream_version, category, type, schema_version, data, metadata, hash, previous_hash) VALUES ' +
  Array.from(
    { length: rows },
    (_, r) => `(${Array.from({ length: 10 }, (__, c) => `$${r * 10 + c + 1}`).join(', ')})`,
  ).join(', ');

const rawSchema = (name: string, tweak?: string): AppendContender => ({
  name,
  async open(url, connections) {
    const pool = await observaPool(url, connections, tweak);
    const statements = new Map<number, string>();
    return {
      async append(streamId, events, head) {
        let text = statements.get(events.length);
        if (!text) statements.set(events.length, (text = schemaInsert(events.length)));
        const values: unknown[] = [];
        events.forEach((e, i) =>
          values.push(
            e.eventId,
            streamId,
            (head + 1n + BigInt(i)).toString(),
            categoryOf(streamId),
            e.type,
            e.schemaVersion,
            JSON.stringify(e.data),
            JSON.stringify(e.metadata),
            FAKE_HASH,
            head < 0n && i === 0 ? null : FAKE_HASH,
          ),
        );
        await pool.query({ name: `schema_insert_${events.length}`, text, values });
      },
      count: () => countEvents(pool),
      close: () => pool.end(),
    };
  },
});

/** The migration's observa_append, rewritten by `edit` and installed with CREATE OR REPLACE. */
export const functionVariant = (edit: (body: string) => string): string => {
  const sql = migrations[0].sql;
  const body = sql
    .slice(sql.indexOf('CREATE FUNCTION observa_append'))
    .replace('CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION');
  const edited = edit(body);
  if (edited === body) throw new Error('function variant: the edit matched nothing (did schema.ts change?)');
  return edited;
};

const HASH_STEP = /v_hash := encode\(sha256\(convert_to\([\s\S]*?'hex'\);/;

const fnDirect = (name: string, tweak?: string): AppendContender => ({
  name,
  async open(url, connections) {
    const pool = await observaPool(url, connections, tweak);
    return {
      async append(streamId, events, head) {
        const payload = JSON.stringify(
          events.map((e) => ({
            eventId: e.eventId,
            type: e.type,
            schemaVersion: e.schemaVersion,
            data: e.data,
            metadata: e.metadata,
            contentHash: FAKE_HASH,
          })),
        );
        await pool.query({
          name: 'observa_append',
          text: 'SELECT * FROM observa_append($1, $2, $3, $4, $5::jsonb)',
          values: [
            streamId,
            categoryOf(streamId),
            head < 0n ? 'no_stream' : 'version',
            head < 0n ? null : head.toString(),
            payload,
          ],
        });
      },
      count: () => countEvents(pool),
      close: () => pool.end(),
    };
  },
});

const fnNoHash = fnDirect(
  'fn-nohash',
  functionVariant((body) => body.replace(HASH_STEP, "v_hash := v_event->>'contentHash';")),
);
const rawSchema3 = rawSchema(
  'raw-schema-3idx',
  'DROP INDEX observa_events_category; ALTER TABLE observa_events DROP CONSTRAINT observa_events_stream_event',
);

/**
 * Three contenders at a time (3 pools of 16 stay within the server's 100 connections next to other
 * people's tests); each group compares neighbouring layers, interleaved.
 */
const groups: { contenders: AppendContender[]; ratios: [string, string][] }[] = [
  {
    contenders: [raw, rawSchema('raw-schema'), rawSchema3],
    ratios: [
      ['raw-schema', 'raw'],
      ['raw-schema-3idx', 'raw-schema'],
    ],
  },
  {
    contenders: [rawSchema('raw-schema'), fnDirect('fn-direct'), fnNoHash],
    ratios: [
      ['fn-direct', 'raw-schema'],
      ['fn-nohash', 'fn-direct'],
    ],
  },
  {
    contenders: [raw, fnDirect('fn-direct'), ours],
    ratios: [
      ['ours', 'fn-direct'],
      ['fn-direct', 'raw'],
      ['ours', 'raw'],
    ],
  },
];

const profileScenario = (
  name: string,
  writers: number,
  batchSize: number,
  eventsPerStream: number,
): Scenario => ({
  name,
  description: `Append path layer by layer at ${writers} writer(s), ${batchSize} event(s) per append (diagnostic).`,
  async run(context): Promise<ScenarioResult> {
    const t = appendTiming(context.quick);
    const measurements: Measurement[] = [];
    const ratios: Ratio[] = [];
    for (const [g, group] of groups.entries()) {
      const setting = `${writers} writers, group ${g + 1}`;
      context.log(` group ${g + 1}`);
      const measured = await measureAppends(
        group.contenders,
        {
          writers,
          batchSize,
          eventsPerStream,
          warmupMs: t.warmupMs,
          runMs: t.runMs,
          runs: Math.min(t.runs, 5),
          setting,
        },
        `prof${batchSize}x${writers}g${g + 1}`,
        context,
      );
      measurements.push(...measured);
      ratios.push(...group.ratios.map(([a, b]) => ratio(measured, a, b, setting)));
    }
    return { name, description: this.description, measurements, ratios };
  },
});

// ---- client side: what appendToStream spends in JavaScript per event before it reaches pg ----

const perEvent = (
  events: readonly NewEvent[],
  work: (events: readonly NewEvent[]) => unknown,
  ms: number,
) => {
  for (let i = 0; i < 50; i++) work(events);
  let done = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    work(events);
    done += events.length;
  }
  return Number((((performance.now() - start) * 1000) / done).toFixed(2));
};

export const clientProfile: Scenario = {
  name: 'profile-client',
  description: 'JavaScript per event on the append path (µs/event, one core, 100-event batches; diagnostic).',
  async run(context): Promise<ScenarioResult> {
    const events = Array.from({ length: 100 }, (_, i) => newEvent(i));
    const stream = `observation-${randomUUID()}`;
    const ms = context.quick ? 200 : 1000;
    const pieces: [string, (batch: readonly NewEvent[]) => unknown][] = [
      ['make the events (bench harness, all contenders)', (b) => b.map((_, i) => newEvent(i))],
      [
        'raw: JSON.stringify data + metadata',
        (b) => b.map((e) => [JSON.stringify(e.data), JSON.stringify(e.metadata)]),
      ],
      ['prepareForStore (validate, canonical JSON, sha256: what the store runs)', (b) => prepareForStore(stream, b)],
      ['contentHash (canonicalJson + sha256)', (b) => b.map((e) => contentHash({ ...e, streamId: stream }))],
      ['  canonicalJson alone', (b) => b.map((e) => canonicalJson({ ...e, streamId: stream }))],
    ];
    const measurements: Measurement[] = pieces.map(([name, work]) => {
      const us = perEvent(events, work, ms);
      context.log(`  ${name.padEnd(48)} ${us} µs/event`);
      return {
        contender: name,
        setting: '100-event batch',
        unit: 'µs/event',
        runs: [us],
        median: us,
        min: us,
        max: us,
      };
    });
    return { name: this.name, description: this.description, measurements, ratios: [] };
  },
};

export const profileScenarios: Scenario[] = [
  profileScenario('profile-single', 16, 1, 10),
  profileScenario('profile-batch', 1, 100, 500),
  clientProfile,
];
