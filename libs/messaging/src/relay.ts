/**
 * The relay (DESIGN.md §3): reads $all after its own checkpoint (`relay:<name>`) and publishes each
 * page to Kafka, then saves the checkpoint. At least once: a crash between the two publishes the page
 * again, so duplicates on the wire are expected and consumers drop them with their inbox.
 * Run one relay per name: two would both publish and overwrite each other's checkpoint.
 */
import kafkajs, { type Kafka, type Message, type Producer, type TopicMessages } from 'kafkajs';
import type { DataSource } from 'typeorm';
import {
  encodeEvent,
  eventHeaders,
  type EventStore,
  type GlobalPosition,
  type RecordedEvent,
} from '#event-sourcing';
import {
  createCheckpointsTable,
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

const messageBytes = (message: Message): number =>
  (message.key?.length ?? 0) +
  Buffer.byteLength(message.value as string) +
  Object.entries(message.headers ?? {}).reduce((n, [k, v]) => n + k.length + String(v).length, 0);

export class Relay {
  private readonly checkpointName: string;
  private readonly pageSize: number;
  private readonly maxRequestBytes: number;
  private producer?: Promise<Producer>;
  private topicsEnsured?: Promise<void>;

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
      await this.relay(page);
      published += page.length;
      after = page[page.length - 1].globalPosition;
      if (page.length < this.pageSize) return published;
    }
  }

  /** Publishes what is there, then what gets appended, until the signal aborts. */
  async start(signal: AbortSignal): Promise<void> {
    await this.prepare();
    const pages = followInPages(this.options.store, {
      after: await this.checkpoint(),
      categories: this.options.categories,
      pageSize: this.pageSize,
      signal,
    });
    for await (const page of pages) {
      if (signal.aborted) return;
      await this.relay(page);
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

  private async relay(page: readonly RecordedEvent[]): Promise<void> {
    const requests = this.requests(page); // refuses the page before sending any of it
    const producer = await this.connectedProducer();
    for (const topicMessages of requests) await producer.sendBatch({ acks: -1, topicMessages });
    await this.options.afterPublish?.(page);
    await saveCheckpoint(
      this.options.dataSource.manager,
      this.checkpointName,
      page[page.length - 1].globalPosition,
    );
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

  /** The checkpoint table, and the topics with broker defaults unless ensureTopics made them first. */
  private async prepare(): Promise<void> {
    this.topicsEnsured ??= this.ensureTopics().catch((error: unknown) => {
      this.topicsEnsured = undefined;
      throw error;
    });
    await Promise.all([createCheckpointsTable(this.options.dataSource), this.topicsEnsured]);
  }
}
