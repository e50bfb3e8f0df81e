import { randomUUID } from 'node:crypto';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { Kafka } from 'kafkajs';
import { Column, Entity, PrimaryColumn, type DataSource, type EntityManager } from 'typeorm';
import type { RecordedEvent } from '#event-sourcing';
import { migrate, openDatabase, PostgresEventStore, type Database } from '#eventstore-postgres';
import { createTestDatabase, newEvent, readYourWrites, testKafka, uniqueName, type TestDatabase } from '#testing';
import { dataSourceOn, type Projection } from '#event-sourcing/projections';
import type { Running } from './event-transport.js';
import { KafkaTransport } from './kafka-consumer.js';
import { Relay } from './relay.js';
import { TopicRouting } from './topics.js';

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

  /** Visits per station; while `crashOn` names a station, applying its arrival writes the visit and then throws. */
  const visitsPerStation = (visit: string) => {
    const state = {
      crashOn: undefined as string | undefined,
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
        if (station === state.crashOn) throw new Error(`crashed while applying the arrival at ${station}`);
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

  it('leaves no half-written read model when the handler crashes, and applies the event exactly once after a restart', async () => {
    const { visit, routing, transport, relay } = world();
    for (const station of ['S-1', 'S-2', 'S-3']) await arrive(visit, station);
    await relay('main').runUntilCaughtUp();
    const { projection, state } = visitsPerStation(visit);
    state.crashOn = 'S-3';

    running.push(await transport.start(projection));
    await waitFor(
      'S-3 to be redelivered after its crash',
      () => state.attempts.filter((s) => s === 'S-3').length >= 2,
    );
    await waitFor('the others to be applied', () => state.applied.length === 2);
    expect(await readModel()).toEqual({ 'S-1': 1, 'S-2': 1 }); // S-3's visit was written, then rolled back
    expect(await inbox()).toBe(2);

    await running.pop()!.stop();
    state.crashOn = undefined; // the fix is deployed
    const groupId = transport.groupOf(projection);
    running.push(await transport.start(projection));
    await waitFor('everything to be consumed', () => consumedAll(groupId, routing.topicsOf([visit])));

    expect(await readModel()).toEqual({ 'S-1': 1, 'S-2': 1, 'S-3': 1 });
    expect(state.applied.filter((s) => s === 'S-3')).toHaveLength(1);
    expect(await inbox()).toBe(3);
  });
});
