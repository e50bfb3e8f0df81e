/**
 * The projections suite: how fast one read model is fed from the store and from Kafka.
 *
 * projections/feeds — a table seeded with 20k events (as the relay suite seeds it: 400 streams of 3
 * categories, interleaved in $all), published once to Kafka by a Relay (3 partitions per topic,
 * outside any clock). The same projection (one row per stream: an upsert that counts the events
 * applied and keeps the last stream version) is then fed, interleaved over runs, by:
 *   store — a ProjectionRunner's runUntilCaughtUp() from an empty checkpoint (pages of 500, one
 *           transaction per page with the checkpoint);
 *   kafka — a KafkaTransport consumer group new to the topics (batches of up to 500, one transaction
 *           per batch with its inbox rows, then the offset commit), from the moment it has joined its
 *           group until the read model holds every event.
 * Each run writes to a fresh projection (its own rows, checkpoint, inbox rows, group); after every
 * run the read model must count exactly one application per event.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { DataSource, EntityManager } from 'typeorm';
import type { RecordedEvent } from '#event-sourcing';
import { dataSourceOn, ProjectionRunner, type Projection } from '#event-sourcing/projections';
import { migrate, openDatabase, PostgresEventStore } from '#eventstore-postgres';
import { KafkaTransport, Relay } from '#messaging';
import { checkpoint, serverDescription, withBenchDatabase } from './db.js';
import { benchKafka, kafkaDescription } from './kafka.js';
import { routingFor, seed } from './relay.js';
import { median, ratio, summarize } from './stats.js';
import type { BenchContext, BenchSuite, Measurement, Scenario, ScenarioResult } from './types.js';

const PARTITIONS = 3;
const BATCH = 500;

/** One row per stream and feed, as a read model of aggregates would keep. */
const CREATE_ROWS = `CREATE TABLE IF NOT EXISTS bench_feed_rows (
  feed text NOT NULL, stream_id text NOT NULL, version bigint NOT NULL, applied int NOT NULL,
  last_type text NOT NULL, PRIMARY KEY (feed, stream_id))`;

const rowsProjection = (feed: string, categories: readonly string[]): Projection => ({
  name: feed,
  categories,
  async apply(event: RecordedEvent, tx: EntityManager) {
    await tx.query(
      `INSERT INTO bench_feed_rows (feed, stream_id, version, applied, last_type) VALUES ($1, $2, $3, 1, $4)
       ON CONFLICT (feed, stream_id) DO UPDATE SET version = EXCLUDED.version,
         applied = bench_feed_rows.applied + 1, last_type = EXCLUDED.last_type
       WHERE bench_feed_rows.version < EXCLUDED.version`,
      [feed, event.streamId, event.streamVersion.toString(), event.type],
    );
  },
  async reset(tx: EntityManager) {
    await tx.query('DELETE FROM bench_feed_rows WHERE feed = $1', [feed]);
  },
});

const appliedOf = async (ds: DataSource, feed: string): Promise<number> =>
  Number((await ds.query('SELECT coalesce(sum(applied), 0) AS n FROM bench_feed_rows WHERE feed = $1', [feed]))[0].n);

export const projectionFeeds: Scenario = {
  name: 'feeds',
  description:
    'Feed one projection (an upsert per event into a row per stream) with 20k events: store = a ' +
    `ProjectionRunner from an empty checkpoint (pages of ${BATCH}); kafka = a new consumer group on the ` +
    `events a Relay published (${PARTITIONS} partitions), batches of up to ${BATCH} per transaction with ` +
    'their inbox rows, clocked from joining its group until the read model holds every event.',
  async run(context: BenchContext): Promise<ScenarioResult> {
    const total = context.quick ? 3_000 : 20_000;
    const runs = context.quick ? 2 : 5;
    return withBenchDatabase('projections', async (db) => {
      const database = await openDatabase({ url: db.url, maxConnections: 4 });
      const kafka = await benchKafka('bench-projections');
      const admin = kafka.admin();
      await admin.connect();
      const tag = randomBytes(3).toString('hex');
      const routing = routingFor(`feeds${tag}`);
      let dataSource: DataSource | undefined;
      try {
        await migrate(database.pool);
        const store = new PostgresEventStore(database.pool);
        const ds = (dataSource = await dataSourceOn(database.pool, []).initialize());
        await ds.query(CREATE_ROWS);
        await seed(store, total);
        const relay = new Relay({ name: `bench-feeds-${tag}`, store, dataSource: ds, kafka, routing });
        try {
          await relay.ensureTopics({ numPartitions: PARTITIONS });
          const published = await relay.runUntilCaughtUp();
          context.log(`  seeded and published ${published} events`);
        } finally {
          await relay.close();
        }
        const categories = routing.categories;

        const feeds: Record<'store' | 'kafka', (feed: string) => Promise<number>> = {
          async store(feed) {
            const runner = new ProjectionRunner(store, ds, rowsProjection(feed, categories), {
              pageSize: BATCH,
            });
            const start = performance.now();
            const applied = await runner.runUntilCaughtUp();
            const seconds = (performance.now() - start) / 1000;
            if (applied !== total) throw new Error(`store feed applied ${applied} of ${total}`);
            return seconds;
          },
          async kafka(feed) {
            const transport = new KafkaTransport({
              kafka,
              dataSource: ds,
              routing,
              groupPrefix: 'bench.',
              consumer: { maxWaitTimeInMs: 50 },
              batchSize: BATCH,
            });
            const running = await transport.start(rowsProjection(feed, categories));
            const start = performance.now();
            try {
              const deadline = Date.now() + 600_000;
              while ((await appliedOf(ds, feed)) < total) {
                if (Date.now() > deadline) throw new Error(`kafka feed did not catch up within 10 minutes`);
                await new Promise((resolve) => setTimeout(resolve, 10));
              }
              return (performance.now() - start) / 1000;
            } finally {
              await running.stop();
            }
          },
        };

        const seconds = new Map<string, number[]>([
          ['store', []],
          ['kafka', []],
        ]);
        const names = ['store', 'kafka'] as const;
        for (let run = -1; run < runs; run++)
          for (let i = 0; i < names.length; i++) {
            const name = names[(i + Math.max(run, 0)) % names.length]; // rotate who goes first
            const feed = `bench-feed-${name}-${run < 0 ? 'w' : run}-${tag}`;
            await checkpoint();
            const took = await feeds[name](feed);
            const applied = await appliedOf(ds, feed);
            if (applied !== total) throw new Error(`${name}: ${applied} applications for ${total} events`);
            if (run >= 0) seconds.get(name)!.push(took);
            else context.log(`  warm-up ${name}: ${Math.round(total / took)} events/s`);
          }

        const setting = `${total} events`;
        const measurements: Measurement[] = names.map((name) => {
          const mine = seconds.get(name)!;
          const m = summarize(
            name,
            setting,
            'events/s',
            mine.map((s) => total / s),
            { secondsPerRun: mine.map((s) => Number(s.toFixed(2))), medianSeconds: median(mine) },
          );
          context.log(`  ${name.padEnd(5)} ${m.median} events/s (min ${m.min}, max ${m.max})`);
          return m;
        });
        const ratios = [ratio(measurements, 'kafka', 'store', setting, 0.5)];
        return {
          name: this.name,
          description: this.description,
          goal: 'kafka >= 50% of store',
          met: ratios.every((x) => x.met !== false),
          measurements,
          ratios,
          notes: [
            `${runs} interleaved runs per feed after one warm-up each; every run a fresh projection`,
            'the kafka clock starts once its consumer has joined its group (a new group on a local broker ' +
              'with group.initial.rebalance.delay.ms=0) and stops when the read model holds every event ' +
              '(polled every 10 ms)',
            'the broker is a single local JVM on the same 2 cores, shared with other users of this machine',
          ],
        };
      } finally {
        await admin.deleteTopics({ topics: routing.topics }).catch(() => undefined);
        await admin.disconnect();
        await dataSource?.destroy();
        await database.close();
      }
    });
  },
};

export const projectionsSuite: BenchSuite = {
  name: 'projections',
  output: 'projections.json',
  scenarios: [projectionFeeds],
  environment: async () => ({ postgres: await serverDescription(), kafka: await kafkaDescription() }),
};
