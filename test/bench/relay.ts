/**
 * The relay suite: publishing $all to Kafka.
 *
 * relay/publish — a table seeded with 50k events (1000 streams of 3 categories routed to 2 contexts,
 * 10-event batch appends by 4 writers, so streams interleave in $all), then, interleaved over runs:
 *   ours — a fresh Relay (new name, so it starts from the beginning; fresh topics) running
 *          runUntilCaughtUp() over everything: readAll pages of 500, produce, save the checkpoint.
 *   raw  — a kafkajs producer with the relay's settings (idempotent, one request in flight, the
 *          default partitioner, acks -1, requests under 512 KiB) sending the same messages (key =
 *          stream id, value = encodeEvent, headers = eventHeaders) built from a raw keyset SELECT of
 *          the same table in pages of 500; no checkpoint, no snapshot-horizon filter, no topic check.
 * Both clocks include connecting the producer. After every run the topics' end offsets must add up
 * to the number of events; after the warm-up every partition of ours and of raw must hold the same
 * messages in the same order (sha256 over key, value, headers).
 */
import { createHash, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import kafkajs, { type Admin, type Kafka, type Message, type TopicMessages } from 'kafkajs';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { encodeEvent, eventHeaders, type RecordedEvent } from '#event-sourcing';
import { dataSourceOn } from '#event-sourcing/projections';
import { migrate, openDatabase, PostgresEventStore } from '#eventstore-postgres';
import { ensureTopics, Relay, TopicRouting } from '#messaging';
import { newEvent } from './contenders.js';
import { type CpuBreakdown, cpuBetween, sampleCpu } from './cpu.js';
import { assertDefaultPgParsers, checkpoint, serverDescription, withBenchDatabase } from './db.js';
import { benchKafka, brokerPids, kafkaDescription, processCpuSeconds } from './kafka.js';
import { cleanRates, DISTURBED_OTHER_CORES, median, ratio, summarize } from './stats.js';
import type { BenchContext, BenchSuite, Measurement, Scenario, ScenarioResult } from './types.js';

const { Partitioners } = kafkajs;

/** The relay's defaults, spelled out so raw uses the very same. */
const PAGE = 500;
const MAX_REQUEST_BYTES = 512 * 1024;
const PARTITIONS = 3;

/** Stream category → context: three categories, two topics. */
const ROUTES: Record<string, string> = {
  observation: 'observations',
  mission: 'missions',
  observer: 'missions',
};
const CATEGORIES = Object.keys(ROUTES);

const EVENTS_PER_STREAM = 50;
const BATCH = 10;
const SEED_WRITERS = 4;

/** Fresh contexts, hence fresh topics: `observa.bench-<tag>-<context>.events.v1`. */
export const routingFor = (tag: string): TopicRouting =>
  new TopicRouting(
    Object.fromEntries(Object.entries(ROUTES).map(([cat, ctx]) => [cat, `bench-${tag}-${ctx}`])),
  );

/** What a topic of some run is for, independent of the run: `observa.bench-ours3ab12cd-missions.events.v1` → `missions`. */
const roleOf = (topic: string): string => /-([a-z]+)\.events\.v1$/.exec(topic)?.[1] ?? topic;

export const seed = async (store: PostgresEventStore, total: number): Promise<void> => {
  const streams = Math.ceil(total / EVENTS_PER_STREAM);
  const streamId = (i: number) => `${CATEGORIES[i % CATEGORIES.length]}-bench${i}`;
  let sequence = 0;
  for (let round = 0; round < EVENTS_PER_STREAM / BATCH; round++)
    await Promise.all(
      Array.from({ length: SEED_WRITERS }, async (_, w) => {
        for (let i = w; i < streams; i += SEED_WRITERS) {
          const events = Array.from({ length: BATCH }, () => newEvent(sequence++));
          await store.appendToStream(
            streamId(i),
            events,
            round === 0 ? 'no_stream' : BigInt(round * BATCH - 1),
          );
        }
      }),
    );
};

type RawRow = {
  global_position: string;
  transaction_id: string;
  event_id: string;
  stream_id: string;
  stream_version: string;
  category: string;
  type: string;
  schema_version: number;
  data: RecordedEvent['data'];
  metadata: Omit<RecordedEvent['metadata'], 'hash' | 'previousHash'>;
  hash: string;
  previous_hash: string | null;
};

const RAW_PAGE = `SELECT global_position, transaction_id, event_id, stream_id, stream_version, category, type,
                         schema_version, data, metadata, hash, previous_hash
                    FROM observa_events
                   WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)
                   ORDER BY transaction_id, global_position LIMIT $3`;

/** The envelope of a raw row, as the store would return it: what event-codec encodes. */
const envelopeOf = (row: RawRow): RecordedEvent => ({
  eventId: row.event_id,
  type: row.type,
  schemaVersion: row.schema_version,
  streamId: row.stream_id,
  streamVersion: BigInt(row.stream_version),
  globalPosition: { commit: BigInt(row.transaction_id), prepare: BigInt(row.global_position) },
  data: row.data,
  metadata: { ...row.metadata, hash: row.hash, previousHash: row.previous_hash },
});

const messageBytes = (message: Message): number =>
  (message.key?.length ?? 0) +
  Buffer.byteLength(message.value as string) +
  Object.entries(message.headers ?? {}).reduce((n, [k, v]) => n + k.length + String(v).length, 0);

/** A page as produce requests in $all order, each under MAX_REQUEST_BYTES: the relay's split. */
const rawRequests = (
  rows: readonly RawRow[],
  topicOfCategory: ReadonlyMap<string, string>,
): TopicMessages[][] => {
  const requests: TopicMessages[][] = [];
  let current = new Map<string, Message[]>();
  let bytes = 0;
  for (const row of rows) {
    const topic = topicOfCategory.get(row.category)!;
    const event = envelopeOf(row);
    const message: Message = { key: row.stream_id, value: encodeEvent(event), headers: eventHeaders(event) };
    const size = messageBytes(message);
    if (bytes > 0 && bytes + size > MAX_REQUEST_BYTES) {
      requests.push([...current].map(([t, messages]) => ({ topic: t, messages })));
      current = new Map();
      bytes = 0;
    }
    const messages = current.get(topic);
    if (messages) messages.push(message);
    else current.set(topic, [message]);
    bytes += size;
  }
  if (bytes > 0) requests.push([...current].map(([topic, messages]) => ({ topic, messages })));
  return requests;
};

/** Sum over partitions of the topics' end offsets: on fresh topics, the number of messages. */
const endOffsets = async (admin: Admin, topics: readonly string[]): Promise<number> => {
  let total = 0;
  for (const topic of topics) for (const p of await admin.fetchTopicOffsets(topic)) total += Number(p.high);
  return total;
};

/** sha256 per `<role>/<partition>` over every message's key, value and headers, in offset order. */
const partitionDigests = async (
  kafka: Kafka,
  topics: readonly string[],
  expected: number,
): Promise<Map<string, string>> => {
  const consumer = kafka.consumer({
    groupId: `bench-verify-${randomBytes(4).toString('hex')}`,
    maxWaitTimeInMs: 100,
  });
  const hashes = new Map<string, ReturnType<typeof createHash>>();
  let received = 0;
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [...topics], fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        const id = `${roleOf(batch.topic)}/${batch.partition}`;
        let hash = hashes.get(id);
        if (!hash) hashes.set(id, (hash = createHash('sha256')));
        for (const m of batch.messages) {
          hash.update(`${m.key?.toString()}\0${m.value?.toString()}\0`);
          for (const [k, v] of Object.entries(m.headers ?? {}).sort(([a], [b]) => a.localeCompare(b)))
            hash.update(`${k}=${String(v)}\0`);
          hash.update('\n');
          received += 1;
        }
      },
    });
    const deadline = Date.now() + 60_000;
    while (received < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
  } finally {
    await consumer.disconnect();
  }
  if (received !== expected) throw new Error(`verification consumed ${received} of ${expected} messages`);
  return new Map([...hashes].map(([id, h]) => [id, h.digest('hex')]));
};

type Pass = {
  readonly published: number;
  readonly seconds: number;
  readonly cpu?: CpuBreakdown;
  /** Cores the broker JVM(s) used during the clocked part. */
  readonly broker: number;
  readonly topics: string[];
};

type Contender = { readonly name: string; pass(tag: string): Promise<Pass> };

/** Runs `work` on the clock, sampling this process, Postgres, the broker and the machine around it. */
const clocked = async (
  brokers: readonly number[],
  work: () => Promise<number>,
): Promise<Omit<Pass, 'topics'>> => {
  await checkpoint(); // the previous run's dirty pages are flushed outside anyone's clock
  const before = sampleCpu();
  const brokerBefore = processCpuSeconds(brokers);
  const start = performance.now();
  const published = await work();
  const seconds = (performance.now() - start) / 1000;
  const broker = (processCpuSeconds(brokers) - brokerBefore) / seconds;
  const cpu = cpuBetween(before, sampleCpu());
  return { published, seconds, broker: Number(broker.toFixed(2)), ...(cpu ? { cpu } : {}) };
};

const cpuSummary = (passes: readonly Pass[]) => {
  const withCpu = passes.filter((p) => p.cpu);
  if (withCpu.length === 0) return undefined;
  const avg = (f: (p: Pass) => number) =>
    Number((withCpu.reduce((s, p) => s + f(p), 0) / withCpu.length).toFixed(2));
  const perEvent = (f: (p: Pass) => number) =>
    Math.round(median(withCpu.map((p) => (f(p) * p.seconds * 1e6) / p.published)));
  return {
    cpuCoresUsed: {
      node: avg((p) => p.cpu!.node),
      postgres: avg((p) => p.cpu!.postgres),
      broker: avg((p) => p.broker),
      otherThanBroker: avg((p) => Math.max(0, p.cpu!.other - p.broker)),
      idle: avg((p) => p.cpu!.idle),
    },
    cpuMicrosecondsPerEvent: {
      node: perEvent((p) => p.cpu!.node),
      postgres: perEvent((p) => p.cpu!.postgres),
      broker: perEvent((p) => p.broker),
    },
  };
};

export const relayPublish: Scenario = {
  name: 'publish',
  description:
    `Publish all of $all (50k events: 1000 streams of 3 categories routed to 2 topics of ${PARTITIONS} ` +
    `partitions) to Kafka in pages of ${PAGE}. ours = a fresh Relay's runUntilCaughtUp() (readAll, produce, ` +
    'save checkpoint); raw = a kafkajs producer with the same settings sending the same messages from a ' +
    'raw keyset SELECT in the same pages (no checkpoint). Fresh topics per run; both clocks include ' +
    'connecting the producer.',
  async run(context: BenchContext): Promise<ScenarioResult> {
    const total = context.quick ? 5_000 : 50_000;
    const runs = context.quick ? 3 : 5;
    return withBenchDatabase('relay', async (db) => {
      const database = await openDatabase({ url: db.url, maxConnections: 4 });
      const rawPool = new pg.Pool({ connectionString: db.url, max: 2 });
      rawPool.on('error', () => undefined);
      let dataSource: DataSource | undefined;
      const oursKafka = await benchKafka('bench-relay-ours');
      const rawKafka = await benchKafka('bench-relay-raw');
      const admin = rawKafka.admin();
      await admin.connect();
      const leftovers = new Set<string>();
      try {
        assertDefaultPgParsers();
        await migrate(database.pool);
        const store = new PostgresEventStore(database.pool);
        dataSource = await dataSourceOn(database.pool, []).initialize();
        const seedStart = performance.now();
        await seed(store, total);
        const seeded = Number((await rawPool.query('SELECT count(*) AS n FROM observa_events')).rows[0].n);
        const { rows: sizes } = await rawPool.query<{ streams: number; categories: number }>(
          'SELECT count(DISTINCT stream_id)::int AS streams, count(DISTINCT category)::int AS categories FROM observa_events',
        );
        context.log(
          `  seeded ${seeded} events (${sizes[0].streams} streams, ${sizes[0].categories} categories) in ` +
            `${((performance.now() - seedStart) / 1000).toFixed(1)} s`,
        );
        await rawPool.query('VACUUM (ANALYZE) observa_events');
        const brokers = brokerPids();
        if (brokers.length === 0) context.log('  no local broker JVM found: broker CPU is not measured');

        const ds = dataSource;
        const contenders: Contender[] = [
          {
            name: 'ours',
            async pass(tag) {
              const routing = routingFor(tag);
              const relay = new Relay({
                name: `bench-${tag}`,
                store,
                dataSource: ds,
                kafka: oursKafka,
                routing,
                pageSize: PAGE,
                maxRequestBytes: MAX_REQUEST_BYTES,
              });
              routing.topics.forEach((t) => leftovers.add(t));
              try {
                await relay.ensureTopics({ numPartitions: PARTITIONS });
                const timed = await clocked(brokers, () => relay.runUntilCaughtUp());
                return { ...timed, topics: routing.topics };
              } finally {
                await relay.close();
              }
            },
          },
          {
            name: 'raw',
            async pass(tag) {
              const routing = routingFor(tag);
              const topicOfCategory = new Map(
                routing.categories.map((c) => [c, routing.topicOfStream(`${c}-x`)]),
              );
              routing.topics.forEach((t) => leftovers.add(t));
              await ensureTopics(rawKafka, routing.topics, { numPartitions: PARTITIONS });
              const producer = rawKafka.producer({
                idempotent: true,
                maxInFlightRequests: 1,
                createPartitioner: Partitioners.DefaultPartitioner,
              });
              try {
                const timed = await clocked(brokers, async () => {
                  await producer.connect();
                  let after = ['0', '0'];
                  let published = 0;
                  for (;;) {
                    const { rows } = await rawPool.query<RawRow>({
                      name: 'bench_relay_raw_page',
                      text: RAW_PAGE,
                      values: [...after, PAGE],
                    });
                    if (rows.length === 0) return published;
                    for (const topicMessages of rawRequests(rows, topicOfCategory))
                      await producer.sendBatch({ acks: -1, topicMessages });
                    published += rows.length;
                    const last = rows[rows.length - 1];
                    after = [last.transaction_id, last.global_position];
                    if (rows.length < PAGE) return published;
                  }
                });
                return { ...timed, topics: routing.topics };
              } finally {
                await producer.disconnect();
              }
            },
          },
        ];

        /** One pass, checked: every event published and every message on the broker. */
        const checkedPass = async (contender: Contender, tag: string): Promise<Pass> => {
          const pass = await contender.pass(tag);
          if (pass.published !== seeded)
            throw new Error(`${contender.name} published ${pass.published} of ${seeded} events`);
          const onBroker = await endOffsets(admin, pass.topics);
          if (onBroker !== seeded)
            throw new Error(`${contender.name}: ${onBroker} messages in its topics, expected ${seeded}`);
          return pass;
        };
        const drop = async (topics: readonly string[]) => {
          await admin.deleteTopics({ topics: [...topics] });
          topics.forEach((t) => leftovers.delete(t));
        };
        const runTag = (contender: Contender, run: number | string) =>
          `${contender.name}${run}${randomBytes(3).toString('hex')}`;

        // Warm-up (JIT, plans, producer paths), then the proof that both sent the same messages.
        const warm = new Map<string, Pass>();
        for (const contender of contenders)
          warm.set(contender.name, await checkedPass(contender, runTag(contender, 'w')));
        const verifyStart = performance.now();
        const digests = await Promise.all(
          contenders.map((c) => partitionDigests(rawKafka, warm.get(c.name)!.topics, seeded)),
        );
        const [oursDigests, rawDigests] = digests;
        if (oursDigests.size !== PARTITIONS * new Set(Object.values(ROUTES)).size)
          throw new Error(
            `expected every partition to get messages, got ${[...oursDigests.keys()].join(', ')}`,
          );
        for (const [id, digest] of oursDigests)
          if (rawDigests.get(id) !== digest) throw new Error(`ours and raw differ in ${id}`);
        if (rawDigests.size !== oursDigests.size) throw new Error('raw wrote to partitions ours did not');
        context.log(
          `  warm-up: ${contenders.map((c) => `${c.name} ${Math.round(seeded / warm.get(c.name)!.seconds)} events/s`).join(', ')}; ` +
            `same messages in all ${oursDigests.size} partitions (checked in ${((performance.now() - verifyStart) / 1000).toFixed(1)} s)`,
        );
        for (const pass of warm.values()) await drop(pass.topics);

        const passes = new Map<string, Pass[]>(contenders.map((c) => [c.name, []]));
        for (let r = 0; r < runs; r++)
          for (let i = 0; i < contenders.length; i++) {
            const contender = contenders[(i + r) % contenders.length]; // rotate who goes first
            const pass = await checkedPass(contender, runTag(contender, r));
            passes.get(contender.name)!.push(pass);
            await drop(pass.topics);
          }

        const setting = `${seeded} events`;
        const measurements: Measurement[] = contenders.map((contender) => {
          const mine = passes.get(contender.name)!;
          const all = mine.map((p) => p.published / p.seconds);
          // The broker is a process of the benchmark here: only what is neither it, node nor Postgres disturbs.
          const { rates, disturbed } = cleanRates(
            all,
            mine.map((p) => (p.cpu ? { ...p.cpu, other: Math.max(0, p.cpu.other - p.broker) } : undefined)),
          );
          const cpu = cpuSummary(mine);
          const m = summarize(contender.name, setting, 'events/s', rates, {
            allRuns: all.map(Math.round),
            disturbedRuns: disturbed,
            secondsPerRun: mine.map((p) => Number(p.seconds.toFixed(2))),
            ...(cpu ?? {}),
          });
          const cores = cpu?.cpuCoresUsed;
          const us = cpu?.cpuMicrosecondsPerEvent;
          context.log(
            `  ${contender.name.padEnd(5)} ${m.median} events/s (min ${m.min}, max ${m.max}` +
              (cores && us
                ? `; cores node ${cores.node} pg ${cores.postgres} broker ${cores.broker} other ${cores.otherThanBroker} idle ${cores.idle}` +
                  `; cpu µs/event node ${us.node} pg ${us.postgres} broker ${us.broker}`
                : '') +
              (disturbed.length ? `; disturbed runs ${disturbed.join(',')})` : ')'),
          );
          return m;
        });
        const ratios = [ratio(measurements, 'ours', 'raw', setting, 0.5)];
        const { rows: avg } = await rawPool.query<{ bytes: number }>(
          `SELECT round(avg(octet_length(data::text) + octet_length(metadata::text)))::int AS bytes FROM observa_events`,
        );
        return {
          name: this.name,
          description: this.description,
          goal: 'ours >= 50% of raw',
          met: ratios.every((x) => x.met !== false),
          measurements,
          ratios,
          notes: [
            `${runs} interleaved runs per contender after one warm-up each; a run is disturbed when processes other ` +
              `than node, Postgres and the broker JVM used more than ${DISTURBED_OTHER_CORES} cores`,
            `events carry ~${avg[0].bytes} bytes of data + metadata JSON; pages of ${PAGE}, requests under ` +
              `${MAX_REQUEST_BYTES} bytes, ${PARTITIONS} partitions per topic, acks -1, idempotent producer, one request in flight`,
            'after every run the topics held exactly one message per event (sum of end offsets); after the warm-up ' +
              'every partition of ours and of raw held the same messages in the same order',
            'the broker is a single local JVM on the same 2 cores (replication factor 1), shared with other users of this machine',
          ],
        };
      } finally {
        if (leftovers.size > 0) await admin.deleteTopics({ topics: [...leftovers] }).catch(() => undefined);
        await admin.disconnect();
        await dataSource?.destroy();
        await database.close();
        await rawPool.end();
      }
    });
  },
};

export const relaySuite: BenchSuite = {
  name: 'relay',
  output: 'relay.json',
  scenarios: [relayPublish],
  environment: async () => ({ postgres: await serverDescription(), kafka: await kafkaDescription() }),
};
