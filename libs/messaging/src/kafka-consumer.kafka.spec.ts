import { randomUUID } from 'node:crypto';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { Column, Entity, PrimaryColumn, type DataSource, type EntityManager } from 'typeorm';
import { encodeEvent, eventHeaders, type RecordedEvent } from '#event-sourcing';
import { migrate, openDatabase, PostgresEventStore, type Database } from '#eventstore-postgres';
import {
  createTestDatabase,
  newEvent,
  readYourWrites,
  testKafka,
  uniqueName,
  type TestDatabase,
} from '#testing';
import {
  dataSourceOn,
  listDeadLetters,
  replayDeadLetters,
  type Projection,
} from '#event-sourcing/projections';
import type { Running } from './event-transport.js';
import { deadLetterTopicOf, KafkaTransport } from './kafka-consumer.js';
import { Relay } from './relay.js';
import { ensureTopics, TopicRouting } from './topics.js';

@Entity('station_visits')
class StationVisits {
  @PrimaryColumn('text') station!: string;
  @Column('int') visits!: number;
}

const waitFor = async (
  what: string,
  condition: () => Promise<boolean> | boolean,
  timeoutMs = 30_000,
): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

describe('Kafka consumer with an inbox', () => {
  let kafka: Kafka;
  let database: TestDatabase;
  let db: Database;
  let store: PostgresEventStore;
  let dataSource: DataSource;
  const running: Running[] = [];
  const relays: Relay[] = [];

  beforeAll(async () => {
    kafka = await testKafka('consumer-spec');
  }, 180_000);

  beforeEach(async () => {
    database = await createTestDatabase();
    db = await openDatabase({ url: database.url });
    await migrate(db.pool);
    store = readYourWrites(new PostgresEventStore(db.pool));
    dataSource = await dataSourceOn(db.pool, [StationVisits], { synchronize: true }).initialize();
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((r) => r.stop()));
    await Promise.all(relays.splice(0).map((r) => r.close()));
    await dataSource.destroy();
    await db.close();
    await database.drop();
  });

  /** A deployment context carrying visits and teams; the projection reads only visits. */
  const world = () => {
    const visit = uniqueName('visit');
    const team = uniqueName('team');
    const deployment = uniqueName('deployment');
    const routing = new TopicRouting({ [visit]: deployment, [team]: deployment });
    const transport = new KafkaTransport({
      kafka,
      dataSource,
      routing,
      groupPrefix: `${uniqueName('spec')}.`,
      consumer: { maxWaitTimeInMs: 100, retry: { initialRetryTime: 100, retries: 3 } },
    });
    const relay = (name: string) => {
      const r = new Relay({ name, store, dataSource, kafka, routing });
      relays.push(r);
      return r;
    };
    return { visit, team, routing, transport, relay };
  };

  /**
   * Visits per station; while `crashOn` names a station, applying its arrival writes the visit and
   * then throws `crash` (a bug in the projection unless told otherwise).
   */
  const visitsPerStation = (visit: string) => {
    const state = {
      crashOn: undefined as string | undefined,
      crash: (station: string): Error => new Error(`no station ${station} in the deployment plan`),
      attempts: [] as string[],
      applied: [] as string[],
    };
    const projection: Projection = {
      name: 'visits-per-station',
      categories: [visit],
      entities: [StationVisits],
      async apply(event: RecordedEvent, tx: EntityManager) {
        const station = event.data.station as string;
        state.attempts.push(station);
        await tx.query(
          `INSERT INTO station_visits (station, visits) VALUES ($1, 1)
           ON CONFLICT (station) DO UPDATE SET visits = station_visits.visits + 1`,
          [station],
        );
        if (station === state.crashOn) throw state.crash(station);
        state.applied.push(station);
      },
      async reset(tx: EntityManager) {
        await tx.clear(StationVisits);
      },
    };
    return { projection, state };
  };

  const arrive = (visit: string, station: string) =>
    store.appendToStream(`${visit}-${randomUUID()}`, [newEvent('ObserverArrived', { station })], 'no_stream');
  const readModel = async () =>
    Object.fromEntries(
      (await dataSource.getRepository(StationVisits).find({ order: { station: 'ASC' } })).map((r) => [
        r.station,
        r.visits,
      ]),
    );
  const inbox = async (): Promise<number> =>
    Number(
      (
        await dataSource.query(
          `SELECT count(*) AS n FROM observa_inbox WHERE consumer = 'visits-per-station'`,
        )
      )[0].n,
    );

  /** The group has committed every offset of the topics: everything published has been handled. */
  const consumedAll = async (groupId: string, topics: string[]): Promise<boolean> => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      for (const topic of topics) {
        const high = await admin.fetchTopicOffsets(topic);
        const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
        for (const p of high) {
          const at = committed.partitions.find((c) => c.partition === p.partition)?.offset ?? '-1';
          if (Math.max(0, Number(at)) < Number(p.high)) return false;
        }
      }
      return true;
    } finally {
      await admin.disconnect();
    }
  };

  it('gives a redelivered event no second effect, whether republished or re-read after an offset reset', async () => {
    const { visit, team, routing, transport, relay } = world();
    for (const station of ['S-1', 'S-2', 'S-1', 'S-3', 'S-1']) await arrive(visit, station);
    await store.appendToStream(
      `${team}-${randomUUID()}`,
      [newEvent('TeamFormed', { station: 'S-1' })],
      'no_stream',
    );
    await relay('first').runUntilCaughtUp();
    const topics = routing.topicsOf([visit, team]);
    expect(topics).toHaveLength(1); // the team event shares the topic and is passed over
    const { projection, state } = visitsPerStation(visit);
    const groupId = transport.groupOf(projection);
    const expected = { 'S-1': 3, 'S-2': 1, 'S-3': 1 };

    running.push(await transport.start(projection));
    await waitFor('the first delivery', () => consumedAll(groupId, topics));
    expect(await readModel()).toEqual(expected);

    // The relay crashed before its checkpoint, say: every event is on the wire a second time.
    await relay('second').runUntilCaughtUp();
    await waitFor('the republished events', () => consumedAll(groupId, topics));
    expect(await readModel()).toEqual(expected);

    // An operator rewinds the group to the beginning.
    await running.pop()!.stop();
    const admin = kafka.admin();
    await admin.connect();
    for (const topic of topics) await admin.resetOffsets({ groupId, topic, earliest: true });
    await admin.disconnect();
    running.push(await transport.start(projection));
    await waitFor('the rewound group', () => consumedAll(groupId, topics));

    expect(await readModel()).toEqual(expected);
    expect(state.applied).toHaveLength(5);
    expect(await inbox()).toBe(5);
  });

  it('applies a backlog a batch per transaction, each event once even when a batch holds it twice', async () => {
    const { visit, routing, relay } = world();
    const stations = Array.from({ length: 60 }, (_, i) => `S-${i % 10}`);
    for (const station of stations) await arrive(visit, station);
    // Published twice before anyone reads (a relay that crashed before its checkpoint): the
    // duplicates sit in the same fetches as the originals.
    await relay('first').runUntilCaughtUp();
    await relay('second').runUntilCaughtUp();
    const { projection, state } = visitsPerStation(visit);
    const transactions = new Set<string>();
    const counted: Projection = {
      ...projection,
      async apply(event, tx) {
        const [{ txid }] = await tx.query('SELECT txid_current()::text AS txid');
        transactions.add(txid);
        await projection.apply(event, tx);
      },
    };
    const transport = new KafkaTransport({
      kafka,
      dataSource,
      routing,
      groupPrefix: `${uniqueName('spec')}.`,
      consumer: { maxWaitTimeInMs: 100 },
      batchSize: 25,
    });

    running.push(await transport.start(counted));
    await waitFor('every message handled', () =>
      consumedAll(transport.groupOf(counted), routing.topicsOf([visit])),
    );

    expect(await readModel()).toEqual(
      Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`S-${i}`, 6])),
    );
    expect(state.applied).toHaveLength(60);
    expect(await inbox()).toBe(60);
    // 120 messages in batches of at most 25: at least 5 transactions, and far fewer than one per event.
    expect(transactions.size).toBeGreaterThanOrEqual(3);
    expect(transactions.size).toBeLessThan(30);
  });

  it('redelivers an event whose handler failed for a transient reason, leaving no half-written read model, and applies it once after a restart', async () => {
    const { visit, routing, transport, relay } = world();
    for (const station of ['S-1', 'S-2', 'S-3']) await arrive(visit, station);
    await relay('main').runUntilCaughtUp();
    const { projection, state } = visitsPerStation(visit);
    state.crashOn = 'S-3';
    state.crash = () =>
      Object.assign(new Error('could not serialize access due to concurrent update'), { code: '40001' });

    running.push(await transport.start(projection));
    await waitFor(
      'S-3 to be redelivered after its crash',
      () => state.attempts.filter((s) => s === 'S-3').length >= 2,
    );
    // S-3's visit was written, then rolled back, with whatever of its batch came before it.
    const halfway = await readModel();
    expect(halfway['S-3']).toBeUndefined();
    expect(Object.values(halfway).every((visits) => visits === 1)).toBe(true);
    expect(await inbox()).toBe(Object.keys(halfway).length);

    await running.pop()!.stop();
    state.crashOn = undefined; // the fix is deployed
    const groupId = transport.groupOf(projection);
    running.push(await transport.start(projection));
    await waitFor('everything to be consumed', () => consumedAll(groupId, routing.topicsOf([visit])));

    expect(await readModel()).toEqual({ 'S-1': 1, 'S-2': 1, 'S-3': 1 });
    expect(state.applied.filter((s) => s === 'S-3')).toHaveLength(1);
    expect(await inbox()).toBe(3);
    expect(await listDeadLetters(dataSource)).toEqual([]);
  });

  /** Every message of a topic, from the beginning, once `count` of them have arrived. */
  const readTopic = async (topic: string, count: number): Promise<KafkaMessage[]> => {
    const seen: KafkaMessage[] = [];
    const consumer = kafka.consumer({ groupId: uniqueName('reader'), maxWaitTimeInMs: 100 });
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => void seen.push(message) });
      await waitFor(`${count} messages on ${topic}`, () => seen.length >= count);
    } finally {
      await consumer.disconnect();
    }
    return seen;
  };

  it('parks a message that is not an event, copies it to the dead-letter topic, and applies the later messages of its partition', async () => {
    const { visit, routing } = world();
    const [topic] = routing.topicsOf([visit]);
    await arrive(visit, 'S-1');
    await arrive(visit, 'S-2');
    const events = await store.readAll({ categories: [visit] });
    const garbage = Buffer.from([0xff, 0x00, 0xfe, 0x80, 0x7b]);
    const producer = kafka.producer();
    await producer.connect();
    const onPartition0 = (event: RecordedEvent) => ({
      key: event.streamId,
      value: encodeEvent(event),
      headers: eventHeaders(event),
      partition: 0,
    });
    try {
      await ensureTopics(kafka, [topic]);
      const [sent] = await producer.send({
        topic,
        messages: [
          onPartition0(events[0]),
          { key: 'not-an-event', value: garbage, partition: 0 },
          onPartition0(events[1]),
        ],
      });
      const garbageOffset = BigInt(sent.baseOffset!) + 1n;

      const parked: string[] = [];
      const { projection } = visitsPerStation(visit);
      const feeding = new KafkaTransport({
        kafka,
        dataSource,
        routing,
        groupPrefix: `${uniqueName('spec')}.`,
        consumer: { maxWaitTimeInMs: 100 },
        onParked: (letter) => parked.push(letter.eventId),
      });
      running.push(await feeding.start(projection));
      await waitFor('both events around the garbage', () =>
        consumedAll(feeding.groupOf(projection), [topic]),
      );

      expect(await readModel()).toEqual({ 'S-1': 1, 'S-2': 1 });
      const letters = await listDeadLetters(dataSource, 'visits-per-station');
      const key = `kafka:${topic}/0@${garbageOffset}`;
      expect(letters).toEqual([
        {
          projection: 'visits-per-station',
          eventId: key,
          globalPosition: null,
          streamId: null,
          type: null,
          origin: `kafka ${topic}/0@${garbageOffset}`,
          error: 'UndecodableEvent: the message value is not JSON',
          parkedAt: expect.any(Date),
        },
      ]);
      expect(parked).toEqual([key]);
      const [copy] = await readTopic(deadLetterTopicOf(topic), 1);
      expect(copy.value).toEqual(garbage);
      expect(copy.key?.toString()).toBe('not-an-event');
      expect(copy.headers?.['dlq-projection']?.toString()).toBe('visits-per-station');
      expect(copy.headers?.['dlq-error']?.toString()).toBe('UndecodableEvent: the message value is not JSON');

      // Replaying cannot make garbage an event: it stays parked, nothing else changes.
      const replayed = await replayDeadLetters(dataSource, projection);
      expect(replayed).toEqual({ applied: 0, stillParked: [{ ...letters[0], parkedAt: expect.any(Date) }] });
      expect(await readModel()).toEqual({ 'S-1': 1, 'S-2': 1 });
    } finally {
      await producer.disconnect();
    }
  });

  it('parks an event the projection cannot apply with its inbox row, carries on, and replays it once fixed', async () => {
    const { visit, routing, transport, relay } = world();
    for (const station of ['S-1', 'S-bad', 'S-3']) await arrive(visit, station);
    await relay('main').runUntilCaughtUp();
    const [bad] = (await store.readAll({ categories: [visit] })).filter((e) => e.data.station === 'S-bad');
    const { projection, state } = visitsPerStation(visit);
    state.crashOn = 'S-bad';
    const groupId = transport.groupOf(projection);
    const topics = routing.topicsOf([visit]);

    running.push(await transport.start(projection));
    await waitFor('every message handled', () => consumedAll(groupId, topics));
    expect(await readModel()).toEqual({ 'S-1': 1, 'S-3': 1 });
    expect(await inbox()).toBe(3);
    const letters = await listDeadLetters(dataSource, 'visits-per-station');
    expect(letters).toEqual([
      expect.objectContaining({
        eventId: bad.eventId,
        globalPosition: `${bad.globalPosition.commit}/${bad.globalPosition.prepare}`,
        streamId: bad.streamId,
        type: 'ObserverArrived',
        error: 'Error: no station S-bad in the deployment plan',
      }),
    ]);
    const [copy] = await readTopic(deadLetterTopicOf(topics[0]), 1);
    expect(copy.headers?.eventId?.toString()).toBe(bad.eventId);
    expect(copy.headers?.['dlq-origin']?.toString()).toBe(letters[0].origin);

    // Tried in its batch, then alone, which parked it.
    expect(state.attempts.filter((s) => s === 'S-bad')).toHaveLength(2);

    // Republished by a relay that crashed before its checkpoint: the inbox knows it, nothing is parked twice.
    await relay('again').runUntilCaughtUp();
    await waitFor('the republished events', () => consumedAll(groupId, topics));
    expect(await listDeadLetters(dataSource)).toEqual(letters);
    expect(state.attempts.filter((s) => s === 'S-bad')).toHaveLength(2);

    state.crashOn = undefined; // the fix is deployed
    expect(await replayDeadLetters(dataSource, projection)).toEqual({ applied: 1, stillParked: [] });
    expect(await readModel()).toEqual({ 'S-1': 1, 'S-3': 1, 'S-bad': 1 });
    expect(await listDeadLetters(dataSource)).toEqual([]);
  });
});
