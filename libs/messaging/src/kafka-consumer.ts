/**
 * The distributed transport: a consumer group per projection on the topics of its categories. Each
 * message is applied in ONE transaction with its inbox row, and only then is its offset committed.
 * A redelivered event finds its inbox row and changes nothing; a handler that throws rolls back
 * everything it wrote, leaves the offset where it was, and the message comes again.
 *
 * Each consumer heals by itself: whenever kafkajs gives up (broker gone, group coordinator moved,
 * topic deleted) the consumer is thrown away and a new one is made, after the topics are created
 * again if the broker lost them, with a growing pause while the broker does not answer. A new
 * consumer reads the group's committed offsets from the broker; where there are none (a new or
 * wiped broker, a topic made again) or they point past the end, it starts from the beginning of what
 * the topic holds (`fromBeginning`), never from its end, so nothing published is skipped. What it
 * then reads again, the inbox drops.
 */
import type { Admin, Consumer, ConsumerConfig, Kafka, KafkaMessage } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { categoryOf, Upcasters } from '#event-sourcing';
import type { Projection } from '#event-sourcing/projections';
import { decodeEvent } from './event-codec.js';
import type { EventTransport, FeedState, Running } from './event-transport.js';
import { createInboxTable, receiveOnce } from './inbox.js';
import { pause } from './pause.js';
import { ensureTopics, TopicRouting } from './topics.js';

export type KafkaTransportOptions = {
  readonly kafka: Kafka;
  /** Where read models and the inbox live. */
  readonly dataSource: DataSource;
  readonly routing: TopicRouting;
  /** Consumer group = prefix + projection name. */
  readonly groupPrefix?: string;
  readonly upcasters?: Upcasters;
  /** Passed to kafkajs (session timeout, retry, fetch waits...); restarting is this transport's job. */
  readonly consumer?: Omit<ConsumerConfig, 'groupId'>;
  /** First and longest pause between two attempts to consume (250 ms, 5 s). */
  readonly retryDelayMs?: { readonly first: number; readonly longest: number };
  /** Told each time a consumer fails, before the pause: for logs. */
  readonly onError?: (error: unknown, projection: Projection) => void;
};

/** Why kafkajs stopped a consumer, as its CRASH event reports it. */
type Crash = { readonly payload: { readonly error: Error } };

export class KafkaTransport implements EventTransport {
  private readonly upcasters: Upcasters;
  private readonly feeds = new Map<string, KafkaFeed>();

  constructor(private readonly options: KafkaTransportOptions) {
    this.upcasters = options.upcasters ?? new Upcasters();
  }

  /** Resolves once the first consumer has joined its group, or has failed to (it keeps trying). */
  async start(projection: Projection): Promise<Running> {
    await createInboxTable(this.options.dataSource);
    const feed = new KafkaFeed(this.options, projection, this.groupOf(projection), (message) =>
      this.deliver(projection, message),
    );
    this.feeds.set(projection.name, feed);
    await feed.firstAttempt;
    return {
      stop: async () => {
        await feed.stop();
        if (this.feeds.get(projection.name) === feed) this.feeds.delete(projection.name);
      },
    };
  }

  /** The projection's consumer group, e.g. to reset its offsets. */
  groupOf(projection: Projection): string {
    return `${this.options.groupPrefix ?? ''}${projection.name}`;
  }

  states(): FeedState[] {
    return [...this.feeds.values()].map((feed) => feed.state);
  }

  /**
   * Messages on the projection's topics after the group's committed offsets (all of a partition
   * where the group has committed nothing): what it has still to read. The broker has to answer.
   */
  async lagOf(projection: Projection): Promise<number> {
    const admin = this.options.kafka.admin();
    await admin.connect();
    try {
      return await groupLag(
        admin,
        this.groupOf(projection),
        this.options.routing.topicsOf(projection.categories),
      );
    } finally {
      await admin.disconnect();
    }
  }

  private async deliver(projection: Projection, message: KafkaMessage): Promise<void> {
    const event = this.upcasters.upcast(decodeEvent(message.value));
    // A context's topic carries all its categories; this projection may read only some.
    if (projection.categories.length > 0 && !projection.categories.includes(categoryOf(event.streamId)))
      return;
    await this.options.dataSource.transaction(async (tx) => {
      if (await receiveOnce(tx, projection.name, event.eventId)) await projection.apply(event, tx);
    });
  }
}

const groupLag = async (admin: Admin, groupId: string, topics: readonly string[]): Promise<number> => {
  let lag = 0n;
  for (const topic of topics) {
    const ends = await admin.fetchTopicOffsets(topic);
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    for (const { partition, high, low } of ends) {
      const at = BigInt(committed?.partitions.find((c) => c.partition === partition)?.offset ?? '-1');
      const from = at < BigInt(low) ? BigInt(low) : at;
      if (BigInt(high) > from) lag += BigInt(high) - from;
    }
  }
  return Number(lag);
};

/** One projection's consumer, made again whenever kafkajs gives up on it. */
class KafkaFeed {
  readonly firstAttempt: Promise<void>;
  state: FeedState;
  private readonly controller = new AbortController();
  private readonly running: Promise<void>;
  private attempted!: () => void;

  constructor(
    private readonly options: KafkaTransportOptions,
    private readonly projection: Projection,
    private readonly groupId: string,
    private readonly deliver: (message: KafkaMessage) => Promise<void>,
  ) {
    this.state = { part: `consumer:${projection.name}`, status: 'degraded', reason: 'joining its group' };
    this.firstAttempt = new Promise((resolve) => (this.attempted = resolve));
    this.running = this.keepConsuming(this.controller.signal);
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await this.running;
  }

  private async keepConsuming(signal: AbortSignal): Promise<void> {
    const { first, longest } = this.options.retryDelayMs ?? { first: 250, longest: 5000 };
    let delayMs = first;
    while (!signal.aborted) {
      try {
        const crash = await this.consumeUntilCrash(signal);
        if (signal.aborted) break;
        throw crash;
      } catch (error) {
        this.attempted();
        if (signal.aborted) break;
        if (this.state.status === 'ok') delayMs = first; // it was consuming: a new failure, not the same one
        this.state = {
          ...this.state,
          status: 'degraded',
          reason: `consuming failed, trying again: ${describe(error)}`,
        };
        this.options.onError?.(error, this.projection);
        await pause(delayMs, signal);
        delayMs = Math.min(delayMs * 2, longest);
      }
    }
    this.attempted();
  }

  /** Consumes until kafkajs gives up (resolves with why) or the signal aborts (resolves). */
  private async consumeUntilCrash(signal: AbortSignal): Promise<Error | undefined> {
    const { kafka, routing } = this.options;
    const topics = routing.topicsOf(this.projection.categories);
    await ensureTopics(kafka, topics);
    const consumer = kafka.consumer({
      ...this.options.consumer,
      groupId: this.groupId,
      retry: { ...this.options.consumer?.retry, restartOnFailure: async () => false },
    });
    let crashed!: (error: Error | undefined) => void;
    const crash = new Promise<Error | undefined>((resolve) => (crashed = resolve));
    const stopped = () => crashed(undefined);
    consumer.on(consumer.events.CRASH, (event: Crash) => crashed(event.payload.error));
    const joined = consumer.on(consumer.events.GROUP_JOIN, () => {
      this.state = { part: this.state.part, status: 'ok' };
      this.attempted();
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topics, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachMessage: async ({ topic, partition, message }) => {
          await this.deliver(message);
          await commit(consumer, topic, partition, message);
        },
      });
      // Removed again below: one signal serves every attempt of a day of reconnections.
      signal.addEventListener('abort', stopped, { once: true });
      if (signal.aborted) stopped();
      return await crash;
    } finally {
      signal.removeEventListener('abort', stopped);
      joined();
      await consumer.disconnect().catch(() => undefined);
    }
  }
}

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

const commit = (consumer: Consumer, topic: string, partition: number, message: KafkaMessage): Promise<void> =>
  consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
