/**
 * The relay (DESIGN.md §3): reads $all after its own checkpoint (`relay:<name>`) and publishes each
 * page to Kafka, then saves the checkpoint. At least once: a crash between the two publishes the page
 * again, so duplicates on the wire are expected and consumers drop them with their inbox.
 * Run one relay per name: two would both publish and overwrite each other's checkpoint.
 *
 * The checkpoint says "published up to here", which holds only while the topics keep what was
 * published. A broker whose data was wiped, or a topic deleted and created again, breaks that: the
 * relay would carry on past events no consumer will ever see. So the relay also keeps, per topic
 * partition, the end offset it knows the partition reached (`observa_relay_marks`, saved with the
 * checkpoint). A partition found ending below its mark, or a topic found missing, means the broker
 * lost what was published: the relay forgets its checkpoint and marks and publishes its whole store
 * again. Consumers receive each event once all the same, because they drop what their inbox has
 * already seen (kafka-consumer.ts); that is what makes republishing safe.
 */
import kafkajs, { type Kafka, type Message, type Producer, type TopicMessages } from 'kafkajs';
import type { DataSource } from 'typeorm';
import {
  encodeEvent,
  eventHeaders,
  type EventStore,
  type GlobalPosition,
  type MigrationSet,
  type RecordedEvent,
} from '#event-sourcing';
import {
  CheckpointMoved,
  claimCheckpoint,
  createCheckpointsTable,
  migrateOnce,
  deleteCheckpoint,
  followInPages,
  loadCheckpoint,
  saveCheckpoint,
} from '#event-sourcing/projections';
import { ensureTopics, TopicRouting, type TopicSettings } from './topics.js';

const { Partitioners } = kafkajs;

export type RelayOptions = {
  /** Names the checkpoint: `relay:<name>`. */
  readonly name: string;
  readonly store: EventStore;
  /** Where the checkpoint lives (observa_checkpoints). */
  readonly dataSource: DataSource;
  readonly kafka: Kafka;
  readonly routing: TopicRouting;
  /** Only these categories; all of $all when absent, refusing any category the routing does not know. */
  readonly categories?: readonly string[];
  readonly pageSize?: number;
  /** Bytes per produce request: Kafka refuses a record batch over message.max.bytes (1 MB by default). */
  readonly maxRequestBytes?: number;
  /** A seam for crash tests: runs after a page reached Kafka, before its checkpoint is saved. */
  readonly afterPublish?: (page: readonly RecordedEvent[]) => Promise<void> | void;
};

/** The broker no longer holds what this relay published (wiped, or the topic made again). */
export class PublishedEventsLost extends Error {
  override readonly name = 'PublishedEventsLost';
  constructor(readonly detail: string) {
    super(
      `Kafka lost events this relay had published (${detail}): publishing the store again from its beginning`,
    );
  }
}

/** IF NOT EXISTS: databases from before the migration runner have the table. */
export const RELAY_MARK_TABLES: MigrationSet = {
  owner: 'relay-marks',
  migrations: [
    {
      version: 1,
      name: 'observa_relay_marks',
      sql: `CREATE TABLE IF NOT EXISTS observa_relay_marks (
              relay text NOT NULL, topic text NOT NULL, partition integer NOT NULL, end_offset bigint NOT NULL,
              PRIMARY KEY (relay, topic, partition))`,
    },
  ],
};

const createMarksTable = (dataSource: DataSource): Promise<void> =>
  migrateOnce(dataSource, RELAY_MARK_TABLES);

/** `<topic>:<partition>` → the end offset that partition is known to have reached. */
type Marks = Map<string, bigint>;
const markKey = (topic: string, partition: number): string => `${topic}:${partition}`;

const messageBytes = (message: Message): number =>
  (message.key?.length ?? 0) +
  Buffer.byteLength(message.value as string) +
  Object.entries(message.headers ?? {}).reduce((n, [k, v]) => n + k.length + String(v).length, 0);

export class Relay {
  private readonly checkpointName: string;
  private readonly pageSize: number;
  private readonly maxRequestBytes: number;
  private producer?: Promise<Producer>;

  constructor(private readonly options: RelayOptions) {
    this.checkpointName = `relay:${options.name}`;
    this.pageSize = options.pageSize ?? 500;
    this.maxRequestBytes = options.maxRequestBytes ?? 512 * 1024;
    options.routing.topicsOf(options.categories ?? []); // refuses an unrouted category now, not at the first event
  }

  /** Creates the topics of every routed context that do not exist yet. */
  ensureTopics(settings?: TopicSettings): Promise<void> {
    return ensureTopics(
      this.options.kafka,
      this.options.routing.topicsOf(this.options.categories ?? []),
      settings,
    );
  }

  /** Publishes everything after the checkpoint; returns how many events it published. */
  async runUntilCaughtUp(): Promise<number> {
    for (;;) {
      try {
        return await this.publishUntilCaughtUp();
      } catch (error) {
        if (!(error instanceof PublishedEventsLost || error instanceof CheckpointMoved)) throw error;
      }
    }
  }

  /**
   * Publishes what is there, then what gets appended, until the signal aborts. Throws
   * PublishedEventsLost after forgetting its checkpoint, CheckpointMoved when verifyTopics forgot it
   * meanwhile: the next start publishes everything again.
   */
  async start(signal: AbortSignal): Promise<void> {
    await this.prepare();
    let after = await this.checkpoint();
    const pages = followInPages(this.options.store, {
      after,
      categories: this.options.categories,
      pageSize: this.pageSize,
      signal,
    });
    for await (const page of pages) {
      if (signal.aborted) return;
      await this.relay(page, after);
      after = page[page.length - 1].globalPosition;
    }
  }

  /**
   * Compares what the topics hold with what this relay published into them; when they lost some,
   * forgets the checkpoint and throws PublishedEventsLost. Fails as kafkajs does while the broker is
   * unreachable: a probe of the broker too.
   */
  async verifyTopics(): Promise<void> {
    await this.prepareTables();
    const marks = await this.loadMarks();
    if (marks.size === 0) return;
    const admin = this.options.kafka.admin();
    await admin.connect();
    try {
      // Listed, not inferred from an error: a broker that has just started answers "does not host this
      // topic-partition" for a while about topics it keeps, and that must not cost a republication.
      const existing = new Set(await admin.listTopics());
      for (const topic of new Set([...marks.keys()].map((key) => key.slice(0, key.lastIndexOf(':'))))) {
        if (!existing.has(topic)) await this.forget(`topic ${topic} does not exist`);
        const ends = await admin.fetchTopicOffsets(topic);
        const ended = new Map(ends.map(({ partition, high }) => [partition, BigInt(high)]));
        for (const [key, mark] of marks) {
          if (!key.startsWith(`${topic}:`)) continue;
          const partition = Number(key.slice(topic.length + 1));
          const end = ended.get(partition) ?? -1n;
          if (end < mark)
            await this.forget(`${topic} partition ${partition} ends at ${end}, it had reached ${mark}`);
        }
      }
    } finally {
      await admin.disconnect();
    }
  }

  /** Events in the store not yet published (counted up to `atMost`): a gauge for metrics. */
  async lag(atMost = 100_000): Promise<number> {
    await createCheckpointsTable(this.options.dataSource);
    const after = await this.checkpoint();
    return this.options.store.countEvents({ after, categories: this.options.categories, atMost });
  }

  async close(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    if (producer) await (await producer).disconnect();
  }

  private async publishUntilCaughtUp(): Promise<number> {
    await this.prepare();
    let after = await this.checkpoint();
    let published = 0;
    for (;;) {
      const page = await this.options.store.readAll({
        after: after ?? undefined,
        maxCount: this.pageSize,
        categories: this.options.categories,
      });
      if (page.length === 0) return published;
      await this.relay(page, after);
      published += page.length;
      after = page[page.length - 1].globalPosition;
      if (page.length < this.pageSize) return published;
    }
  }

  /** `after`: the checkpoint this page follows, which must still be there when the page is saved. */
  private async relay(page: readonly RecordedEvent[], after: GlobalPosition | null): Promise<void> {
    const requests = this.requests(page); // refuses the page before sending any of it
    const producer = await this.connectedProducer();
    const marks = await this.loadMarks();
    const reached: Marks = new Map();
    let lost: string | undefined;
    for (const topicMessages of requests) {
      for (const { topicName, partition, baseOffset } of await this.send(producer, topicMessages)) {
        if (baseOffset === undefined) continue;
        const key = markKey(topicName, partition);
        const base = BigInt(baseOffset);
        // A batch lands after everything published before it: below the mark, the partition lost records.
        const mark = marks.get(key);
        if (mark !== undefined && base < mark)
          lost ??= `${topicName} partition ${partition} took a batch at ${base}, it had reached ${mark}`;
        if (base + 1n > (reached.get(key) ?? -1n)) reached.set(key, base + 1n);
      }
    }
    // This page is in the topics now, but earlier ones may not be: start again from the beginning.
    if (lost) await this.forget(lost);
    await this.options.afterPublish?.(page);
    await this.options.dataSource.transaction(async (tx) => {
      // Forgotten meanwhile (verifyTopics found the topics emptied): saving would skip what came before.
      await claimCheckpoint(tx, this.checkpointName, after);
      await saveCheckpoint(tx, this.checkpointName, page[page.length - 1].globalPosition);
      for (const [key, end] of reached) {
        const at = key.lastIndexOf(':');
        await tx.query(
          `INSERT INTO observa_relay_marks (relay, topic, partition, end_offset) VALUES ($1, $2, $3, $4)
           ON CONFLICT (relay, topic, partition)
           DO UPDATE SET end_offset = GREATEST(observa_relay_marks.end_offset, EXCLUDED.end_offset)`,
          [this.options.name, key.slice(0, at), Number(key.slice(at + 1)), end.toString()],
        );
      }
    });
  }

  /**
   * A failed send drops the producer: its idempotence id and sequence numbers mean nothing to a broker
   * that lost its state, so the next attempt starts with a new one.
   */
  private async send(producer: Producer, topicMessages: TopicMessages[]) {
    try {
      return await producer.sendBatch({ acks: -1, topicMessages });
    } catch (error) {
      await this.close().catch(() => undefined);
      throw error;
    }
  }

  private async loadMarks(): Promise<Marks> {
    const rows: { topic: string; partition: number; end_offset: string }[] =
      await this.options.dataSource.query(
        'SELECT topic, partition, end_offset FROM observa_relay_marks WHERE relay = $1',
        [this.options.name],
      );
    return new Map(rows.map((row) => [markKey(row.topic, row.partition), BigInt(row.end_offset)]));
  }

  /** Forgets checkpoint and marks together, then says why: the next start publishes the whole store. */
  private async forget(detail: string): Promise<never> {
    await this.options.dataSource.transaction(async (tx) => {
      await deleteCheckpoint(tx, this.checkpointName);
      await tx.query('DELETE FROM observa_relay_marks WHERE relay = $1', [this.options.name]);
    });
    throw new PublishedEventsLost(detail);
  }

  /** The page as produce requests in $all order, each under maxRequestBytes (one oversized event goes alone). */
  private requests(page: readonly RecordedEvent[]): TopicMessages[][] {
    const requests: TopicMessages[][] = [];
    let current = new Map<string, Message[]>();
    let bytes = 0;
    for (const event of page) {
      const topic = this.options.routing.topicOfStream(event.streamId);
      const message: Message = {
        key: event.streamId,
        value: encodeEvent(event),
        headers: eventHeaders(event),
      };
      const size = messageBytes(message);
      if (bytes > 0 && bytes + size > this.maxRequestBytes) {
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
  }

  private connectedProducer(): Promise<Producer> {
    this.producer ??= (async () => {
      // Idempotent: the broker drops a retried request's duplicates, and one request in flight keeps order per key.
      const producer = this.options.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      await producer.connect();
      return producer;
    })().catch((error: unknown) => {
      this.producer = undefined;
      throw error;
    });
    return this.producer;
  }

  private checkpoint(): Promise<GlobalPosition | null> {
    return loadCheckpoint(this.options.dataSource.manager, this.checkpointName);
  }

  private async prepareTables(): Promise<void> {
    await createCheckpointsTable(this.options.dataSource);
    await createMarksTable(this.options.dataSource);
  }

  /**
   * The tables, the topics (made again if the broker lost them: nothing is cached, so a relay that
   * failed against a wiped broker recreates them on its next start), then a check that the topics
   * still hold what was published.
   */
  private async prepare(): Promise<void> {
    await this.prepareTables();
    await this.ensureTopics();
    await this.verifyTopics();
  }
}
