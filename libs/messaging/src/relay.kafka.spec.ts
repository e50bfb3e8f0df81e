import { randomUUID } from 'node:crypto';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import type { RecordedEvent } from '#event-sourcing';
import { migrate, openDatabase, PostgresEventStore, type Database } from '#eventstore-postgres';
import {
  createTestDatabase,
  newEvent,
  readYourWrites,
  testKafka,
  uniqueName,
  type TestDatabase,
} from '#testing';
import { dataSourceOn } from '#event-sourcing/projections';
import { decodeEvent } from '#event-sourcing';
import { PublishedEventsLost, Relay, type RelayOptions } from './relay.js';
import { topicOf, TopicRouting, UnknownCategory } from './topics.js';

type Received = { topic: string; key: string; headers: Record<string, string>; event: RecordedEvent };

/** Reads the topics from the beginning with a fresh group until `count` messages came, then a little longer for extras. */
const consume = async (kafka: Kafka, topics: string[], count: number): Promise<Received[]> => {
  const consumer = kafka.consumer({ groupId: uniqueName('raw'), maxWaitTimeInMs: 100 });
  const received: Received[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        received.push({
          topic,
          key: message.key!.toString(),
          headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
          event: decodeEvent(message.value),
        });
      },
    });
    const deadline = Date.now() + 30_000;
    while (received.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 500));
    return received;
  } finally {
    await consumer.disconnect();
  }
};

/** Stream versions per stream in the order they arrived. */
const arrivalOrder = (received: Received[]) => {
  const byStream = new Map<string, bigint[]>();
  for (const { event } of received)
    byStream.set(event.streamId, [...(byStream.get(event.streamId) ?? []), event.streamVersion]);
  return byStream;
};

describe('relay to Kafka', () => {
  let kafka: Kafka;
  let database: TestDatabase;
  let db: Database;
  let store: PostgresEventStore;
  let dataSource: DataSource;
  const relays: Relay[] = [];

  beforeAll(async () => {
    kafka = await testKafka('relay-spec');
  }, 180_000);

  beforeEach(async () => {
    database = await createTestDatabase();
    db = await openDatabase({ url: database.url });
    await migrate(db.pool);
    store = readYourWrites(new PostgresEventStore(db.pool, { pollIntervalMs: 20 }));
    dataSource = await dataSourceOn(db.pool, []).initialize();
  });

  afterEach(async () => {
    await Promise.all(relays.splice(0).map((r) => r.close()));
    await dataSource.destroy();
    await db.close();
    await database.drop();
  });

  const relayOf = (options: Omit<RelayOptions, 'store' | 'dataSource' | 'kafka'>) => {
    const relay = new Relay({ ...options, store, dataSource, kafka });
    relays.push(relay);
    return relay;
  };

  /** Three contexts, four categories: missions (mission), accreditation (observer, application), deployment (visit). */
  const world = () => {
    const c = {
      mission: uniqueName('mission'),
      observer: uniqueName('observer'),
      application: uniqueName('application'),
      visit: uniqueName('visit'),
    };
    const contexts = {
      missions: uniqueName('missions'),
      accreditation: uniqueName('accreditation'),
      deployment: uniqueName('deployment'),
    };
    const routing = new TopicRouting({
      [c.mission]: contexts.missions,
      [c.observer]: contexts.accreditation,
      [c.application]: contexts.accreditation,
      [c.visit]: contexts.deployment,
    });
    const contextOf: Record<string, string> = {
      [c.mission]: contexts.missions,
      [c.observer]: contexts.accreditation,
      [c.application]: contexts.accreditation,
      [c.visit]: contexts.deployment,
    };
    return { c, routing, topics: routing.topics, contextOf };
  };

  /** Appends `perStream` events to each stream, one event per stream in turn, so streams interleave in $all. */
  const appendInterleaved = async (streams: string[], perStream: number) => {
    for (let i = 0; i < perStream; i++)
      for (const stream of streams)
        await store.appendToStream(
          stream,
          [
            {
              ...newEvent('SomethingHappened', { i }),
              metadata: { ...newEvent().metadata, correlationId: `corr-${stream}-${i}` },
            },
          ],
          i === 0 ? 'no_stream' : BigInt(i - 1),
        );
  };

  it('publishes every event to its context topic, keyed by stream, with headers, in stream order', async () => {
    const { c, routing, topics, contextOf } = world();
    const streams = [c.mission, c.mission, c.observer, c.application, c.visit, c.visit].map(
      (cat) => `${cat}-${randomUUID()}`,
    );
    await appendInterleaved(streams, 4);
    const stored = await store.readAll({ maxCount: 1000 });
    const relay = relayOf({ name: 'main', routing, pageSize: 5 });
    await relay.ensureTopics({ numPartitions: 3 });

    expect(await relay.lag()).toBe(24);
    expect(await relay.runUntilCaughtUp()).toBe(24);
    expect(await relay.lag()).toBe(0);

    const received = await consume(kafka, topics, 24);
    expect(received).toHaveLength(24);
    const byId = new Map(stored.map((e) => [e.eventId, e]));
    for (const { topic, key, headers, event } of received) {
      const original = byId.get(event.eventId)!;
      expect(event).toEqual(original);
      expect(topic).toBe(topicOf(contextOf[event.streamId.split('-')[0]]));
      expect(key).toBe(original.streamId);
      expect(headers).toEqual({
        type: 'SomethingHappened',
        eventId: original.eventId,
        schemaVersion: '1',
        correlationId: original.metadata.correlationId,
        streamVersion: original.streamVersion.toString(),
        position: `${original.globalPosition.commit}/${original.globalPosition.prepare}`,
      });
    }
    expect(new Set(received.map((r) => r.topic))).toEqual(new Set(topics));
    for (const versions of arrivalOrder(received).values()) expect(versions).toEqual([0n, 1n, 2n, 3n]);
  });

  it('publishes again, after a restart, the page it sent but had not checkpointed, and everything after it', async () => {
    const { c, routing, topics } = world();
    const streams = [c.mission, c.observer, c.visit].map((cat) => `${cat}-${randomUUID()}`);
    await appendInterleaved(streams, 4); // 12 events
    const sent: RecordedEvent[][] = [];
    const crashing = relayOf({
      name: 'main',
      routing,
      pageSize: 4,
      afterPublish: (page) => {
        sent.push([...page]);
        if (sent.length === 2) throw new Error('killed before saving the checkpoint');
      },
    });
    await crashing.ensureTopics();
    await expect(crashing.runUntilCaughtUp()).rejects.toThrow('killed before saving the checkpoint');
    await crashing.close();
    expect(await crashing.lag()).toBe(8); // only the first page is checkpointed

    // One event per produce request: order must survive a page split across requests too.
    const restarted = relayOf({ name: 'main', routing, pageSize: 4, maxRequestBytes: 1 });
    expect(await restarted.runUntilCaughtUp()).toBe(8);

    const received = await consume(kafka, topics, 16);
    expect(received).toHaveLength(16);
    const all = await store.readAll({ maxCount: 1000 });
    expect(new Set(received.map((r) => r.event.eventId))).toEqual(new Set(all.map((e) => e.eventId)));
    const counts = new Map<string, number>();
    for (const r of received) counts.set(r.event.eventId, (counts.get(r.event.eventId) ?? 0) + 1);
    expect(
      [...counts]
        .filter(([, n]) => n > 1)
        .map(([id]) => id)
        .sort(),
    ).toEqual(sent[1].map((e) => e.eventId).sort());
    // Per stream, a duplicate only ever repeats what came before: first sightings stay in order.
    for (const versions of arrivalOrder(received).values())
      expect([...new Set(versions)]).toEqual([0n, 1n, 2n, 3n]);
  });

  it('follows the store once started: events appended later are published', async () => {
    const { c, routing } = world();
    const stream = `${c.visit}-${randomUUID()}`;
    await appendInterleaved([stream], 2);
    const relay = relayOf({ name: 'follower', routing, categories: [c.visit] });
    await relay.ensureTopics();
    const controller = new AbortController();
    const running = relay.start(controller.signal);
    try {
      await store.appendToStream(stream, [newEvent(), newEvent()], 1n);
      const received = await consume(kafka, routing.topicsOf([c.visit]), 4);
      expect(received.map((r) => r.event.streamVersion)).toEqual([0n, 1n, 2n, 3n]);
    } finally {
      controller.abort();
      await running;
    }
  });

  it('refuses a stream category it has no route for, publishing nothing of that page', async () => {
    const { c, routing, topics } = world();
    await store.appendToStream(`${c.mission}-${randomUUID()}`, [newEvent()], 'no_stream');
    await store.appendToStream(`unrouted-${randomUUID()}`, [newEvent()], 'no_stream');
    const relay = relayOf({ name: 'main', routing });
    await relay.ensureTopics();

    await expect(relay.runUntilCaughtUp()).rejects.toThrow(UnknownCategory);
    await expect(relay.runUntilCaughtUp()).rejects.toThrow(
      /no context is configured for stream category "unrouted"/,
    );
    expect(await relay.lag()).toBe(2);
    const admin = kafka.admin();
    await admin.connect();
    const offsets = await Promise.all(topics.map((t) => admin.fetchTopicOffsets(t)));
    await admin.disconnect();
    expect(offsets.flat().every((p) => p.high === '0')).toBe(true);
    expect(() => relayOf({ name: 'other', routing, categories: ['unrouted'] })).toThrow(UnknownCategory);
  });

  it('publishes its whole store again when its topic was deleted and made again (a wiped broker)', async () => {
    const { c, routing } = world();
    const streams = [c.mission, c.mission].map((cat) => `${cat}-${randomUUID()}`);
    await appendInterleaved(streams, 3);
    const relay = relayOf({ name: 'main', routing, categories: [c.mission] });
    expect(await relay.runUntilCaughtUp()).toBe(6);
    const [topic] = routing.topicsOf([c.mission]);

    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] });
    await admin.disconnect();
    await expect(relay.verifyTopics()).rejects.toThrow(PublishedEventsLost);
    await store.appendToStream(streams[0], [newEvent('SomethingHappened', { i: 3 })], 2n);

    expect(await relay.runUntilCaughtUp()).toBe(7); // all of them, not the one appended since
    const received = await consume(kafka, [topic], 7);
    expect(received.map((r) => r.event.eventId).sort()).toEqual(
      (await store.readAll({ maxCount: 100, categories: [c.mission] })).map((e) => e.eventId).sort(),
    );
  });
});
