/**
 * Reading $all from the start in pages of 1000 until empty: PostgresEventStore.readAll against a
 * raw keyset-paginated SELECT on the same table, in the same database, runs interleaved.
 */
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import type { GlobalPosition } from '#event-sourcing';
import { migrate, openDatabase, PostgresEventStore } from '#eventstore-postgres';
import { newEvent } from './contenders.js';
import { assertDefaultPgParsers, checkpoint, withBenchDatabase } from './db.js';
import { averageBreakdown, type CpuBreakdown, cpuBetween, sampleCpu } from './cpu.js';
import { cleanRates, ratio, summarize } from './stats.js';
import type { Measurement, Scenario, ScenarioResult } from './types.js';

const PAGE = 1000;

type Reader = { readonly name: string; readAll(): Promise<number> };

const seed = async (store: PostgresEventStore, total: number, writers: number): Promise<void> => {
  const perWriter = Math.ceil(total / writers / 100);
  let sequence = 0;
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      for (let b = 0; b < perWriter; b++) {
        const events = Array.from({ length: 100 }, () => newEvent(sequence++));
        await store.appendToStream(`observation-seed${w}-${b}`, events, 'no_stream');
      }
    }),
  );
};

const rawReader = (name: string, pool: pg.Pool, columns: string): Reader => ({
  name,
  async readAll() {
    let after = '0';
    let read = 0;
    for (;;) {
      const { rows } = await pool.query<{ global_position: string }>({
        name: `raw_read_${name}`,
        text: `SELECT ${columns} FROM observa_events WHERE global_position > $1 ORDER BY global_position LIMIT $2`,
        values: [after, PAGE],
      });
      if (rows.length === 0) return read;
      read += rows.length;
      after = rows[rows.length - 1].global_position;
    }
  },
});

export const readAll: Scenario = {
  name: 'read-all',
  description:
    'Read $all from the start in pages of 1000 until empty over a seeded table (100-event appends by 4 ' +
    'writers). ours = PostgresEventStore.readAll (RecordedEvent objects); raw = SELECT * ... WHERE ' +
    'global_position > $1 ORDER BY global_position LIMIT 1000 (rows as pg returns them); raw-columns = ' +
    "raw with ours' column list (no recorded_at/category), for context.",
  async run(context): Promise<ScenarioResult> {
    const total = context.quick ? 10_000 : 100_000;
    const runs = context.quick ? 3 : 7;
    return withBenchDatabase('readall', async (db) => {
      const database = await openDatabase({ url: db.url, maxConnections: 16 });
      const rawPool = new pg.Pool({ connectionString: db.url, max: 16 });
      rawPool.on('error', () => undefined);
      try {
        assertDefaultPgParsers();
        await migrate(database.pool);
        const store = new PostgresEventStore(database.pool);
        const seedStart = performance.now();
        await seed(store, total, 4);
        const seeded = Number((await rawPool.query('SELECT count(*) AS n FROM observa_events')).rows[0].n);
        context.log(`  seeded ${seeded} events in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);
        await rawPool.query('VACUUM (ANALYZE) observa_events');
        await checkpoint();

        const readers: Reader[] = [
          {
            name: 'ours',
            async readAll() {
              let after: GlobalPosition | undefined;
              let read = 0;
              for (;;) {
                const page = await store.readAll({ after, maxCount: PAGE });
                if (page.length === 0) return read;
                read += page.length;
                after = page[page.length - 1].globalPosition;
              }
            },
          },
          rawReader('raw', rawPool, '*'),
          rawReader(
            'raw-columns',
            rawPool,
            'global_position, transaction_id, event_id, stream_id, stream_version, type, schema_version, data, metadata, hash, previous_hash',
          ),
        ];
        const rates = new Map<string, number[]>(readers.map((r) => [r.name, []]));
        const cpus = new Map<string, (CpuBreakdown | undefined)[]>(readers.map((r) => [r.name, []]));
        const timedPass = async (reader: Reader): Promise<number> => {
          const before = sampleCpu();
          const start = performance.now();
          const read = await reader.readAll();
          const rate = read / ((performance.now() - start) / 1000);
          cpus.get(reader.name)!.push(cpuBetween(before, sampleCpu()));
          if (read !== seeded) throw new Error(`${reader.name} read ${read} of ${seeded} events`);
          return rate;
        };
        for (const reader of readers) await timedPass(reader); // warm-up: caches, plans, JIT
        for (const reader of readers) cpus.set(reader.name, []);
        for (let r = 0; r < runs; r++)
          for (let i = 0; i < readers.length; i++) {
            const reader = readers[(i + r) % readers.length]; // rotate who goes first
            rates.get(reader.name)!.push(await timedPass(reader));
          }
        const measurements: Measurement[] = readers.map((reader) => {
          const all = rates.get(reader.name)!;
          const { rates: clean, disturbed } = cleanRates(all, cpus.get(reader.name)!);
          const cpu = averageBreakdown(cpus.get(reader.name)!);
          const m = summarize(reader.name, `${seeded} events`, 'events/s', clean, {
            allRuns: all.map(Math.round),
            disturbedRuns: disturbed,
            ...(cpu ? { cpuCoresUsed: cpu } : {}),
          });
          context.log(
            `  ${reader.name.padEnd(11)} ${m.median} events/s (min ${m.min}, max ${m.max}` +
              (cpu ? `; cores node ${cpu.node} pg ${cpu.postgres} other ${cpu.other} idle ${cpu.idle}` : '') +
              (disturbed.length ? `; disturbed runs ${disturbed.join(',')})` : ')'),
          );
          return m;
        });
        const setting = `${seeded} events`;
        const ratios = [
          ratio(measurements, 'ours', 'raw', setting, 0.5),
          ratio(measurements, 'ours', 'raw-columns', setting),
        ];
        return {
          name: this.name,
          description: this.description,
          goal: 'ours >= 50% of raw',
          met: ratios.every((x) => x.met !== false),
          measurements,
          ratios,
        };
      } finally {
        await database.close();
        await rawPool.end();
      }
    });
  },
};
