/**
 * The distributed transport: a consumer group per projection on the topics of its categories. What a
 * fetch brings of one partition is applied in batches of up to `batchSize` messages, each batch in ONE
 * transaction with its inbox rows (one statement for the batch), and only then is the batch's offset
 * committed. A redelivered event finds its inbox row and changes nothing; a handler that throws rolls
 * back everything the batch wrote, leaves the offset where it was, and the messages come again. A batch
 * that fails for good is applied again a message at a time, so that only the message at fault is parked.
 *
 * Each consumer heals by itself: whenever kafkajs gives up (broker gone, group coordinator moved,
 * topic deleted) the consumer is thrown away and a new one is made, after the topics are created
 * again if the broker lost them, with a growing pause while the broker does not answer. A new
 * consumer reads the group's committed offsets from the broker; where there are none (a new or
 * wiped broker, a topic made again) or they point past the end, it starts from the beginning of what
 * the topic holds (`fromBeginning`), never from its end, so nothing published is skipped. What it
 * then reads again, the inbox drops.
 *
 * A message that cannot be decoded, or whose event the projection fails to apply for good, is parked
 * (observa_dead_letters, with the inbox row in the same transaction) after a copy has gone to the
 * dead-letter topic `<topic>.dlq`; then its offset is committed and the partition carries on. A
 * transient failure (the database away, a serialization conflict) parks nothing: the transaction
 * rolls back, the offset stays, and the message comes again.
 */
import type { Admin, Consumer, ConsumerConfig, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { Backoff, categoryOf, decodeEvent, messageOf, Upcasters, type RecordedEvent } from '#event-sourcing';
import {
  createDeadLettersTable,
  describeFailure,
  isTransientFailure,
  park,
  type DeadLetter,
  type Projection,
} from '#event-sourcing/projections';
import type { EventTransport, FeedState, Running } from './event-transport.js';
import { createInboxTable, receiveEachOnce, receiveOnce } from './inbox.js';
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
  /** Told of each message parked, once its transaction has committed. */
  readonly onParked?: (letter: DeadLetter) => void;
  /** Most messages applied in one transaction (500, as the store-fed runner's page). */
  readonly batchSize?: number;
};

/** Where a copy of each parked message goes: the topic it came from, suffixed. */
export const deadLetterTopicOf = (topic: string): string => `${topic}.dlq`;

type Delivery = { readonly topic: string; readonly partition: number; readonly message: KafkaMessage };

/** Consecutive messages of one partition, applied together. */
type Batch = {
  readonly topic: string;
  readonly partition: number;
  readonly messages: readonly KafkaMessage[];
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
    await createDeadLettersTable(this.options.dataSource);
    // Connected at the first dead letter: most consumers never need it.
    const deadLetters = lazyProducer(this.options.kafka);
    let stopping = false;
    const feed = new KafkaFeed(this.options, projection, this.groupOf(projection), (batch) =>
      this.deliverBatch(projection, batch, deadLetters, () => stopping),
    );
    this.feeds.set(projection.name, feed);
    await feed.firstAttempt;
    return {
      stop: async () => {
        stopping = true;
        await feed.stop();
        await deadLetters.disconnect();
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

  /**
   * The batch in one transaction; when that fails for good (an event the projection cannot apply, a
   * message that is no event), each message again in its own, parking the ones at fault.
   */
  private async deliverBatch(
    projection: Projection,
    batch: Batch,
    deadLetters: LazyProducer,
    stopping: () => boolean,
  ): Promise<void> {
    try {
      const events = batch.messages
        .map((message) => decodeEvent(message.value))
        // A context's topic carries all its categories; this projection may read only some.
        .filter((event) => readsCategoryOf(projection, event))
        .map((event) => this.upcasters.upcast(event));
      if (events.length === 0) return;
      await this.options.dataSource.transaction(async (tx) => {
        const unseen = await receiveEachOnce(
          tx,
          projection.name,
          events.map((event) => event.eventId),
        );
        for (const event of events)
          if (unseen.delete(event.eventId.toLowerCase())) await projection.apply(event, tx);
      });
    } catch (error) {
      if (isTransientFailure(error) || stopping()) throw error;
      for (const message of batch.messages)
        await this.deliver(
          projection,
          { topic: batch.topic, partition: batch.partition, message },
          deadLetters,
          stopping,
        );
    }
  }

  private async deliver(
    projection: Projection,
    delivery: Delivery,
    deadLetters: LazyProducer,
    stopping: () => boolean,
  ): Promise<void> {
    let event: RecordedEvent | undefined;
    try {
      event = decodeEvent(delivery.message.value);
      if (!readsCategoryOf(projection, event)) return;
      const upcast = this.upcasters.upcast(event);
      await this.options.dataSource.transaction(async (tx) => {
        if (await receiveOnce(tx, projection.name, upcast.eventId)) await projection.apply(upcast, tx);
      });
    } catch (error) {
      // A failure while stopping says nothing about the message: the pool may be closing under us.
      if (isTransientFailure(error) || stopping()) throw error;
      await this.park(projection, delivery, event, error, deadLetters);
    }
  }

  /**
   * The copy goes to the dead-letter topic first: a crash before the transaction parks the message
   * again on redelivery (a second copy on the topic, one row in the table), never neither.
   */
  private async park(
    projection: Projection,
    { topic, partition, message }: Delivery,
    event: RecordedEvent | undefined,
    error: unknown,
    deadLetters: LazyProducer,
  ): Promise<void> {
    const origin = `kafka ${topic}/${partition}@${message.offset}`;
    await (
      await deadLetters.get()
    ).send({
      topic: deadLetterTopicOf(topic),
      messages: [
        {
          key: message.key,
          value: message.value,
          headers: {
            ...message.headers,
            'dlq-projection': projection.name,
            'dlq-origin': origin,
            'dlq-error': describeFailure(error),
          },
        },
      ],
    });
    const letter = await this.options.dataSource.transaction(async (tx) => {
      if (event) await receiveOnce(tx, projection.name, event.eventId);
      return park(tx, {
        projection: projection.name,
        event,
        payload: message.value ?? Buffer.alloc(0),
        key: `kafka:${topic}/${partition}@${message.offset}`,
        origin,
        error,
      });
    });
    this.options.onParked?.(letter);
  }
}

const readsCategoryOf = (projection: Projection, event: RecordedEvent): boolean =>
  projection.categories.length === 0 || projection.categories.includes(categoryOf(event.streamId));

type LazyProducer = { get(): Promise<Producer>; disconnect(): Promise<void> };

const lazyProducer = (kafka: Kafka): LazyProducer => {
  let connecting: Promise<Producer> | undefined;
  return {
    get() {
      connecting ??= (async () => {
        const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
        await producer.connect();
        return producer;
      })().catch((error: unknown) => {
        connecting = undefined;
        throw error;
      });
      return connecting;
    },
    async disconnect() {
      const producer = await connecting?.catch(() => undefined);
      await producer?.disconnect();
    },
  };
};

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
    private readonly deliver: (batch: Batch) => Promise<void>,
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
    const backoff = new Backoff({ firstMs: first, longestMs: longest, jitter: 0.2 });
    while (!signal.aborted) {
      try {
        const crash = await this.consumeUntilCrash(signal);
        if (signal.aborted) break;
        throw crash;
      } catch (error) {
        this.attempted();
        if (signal.aborted) break;
        if (this.state.status === 'ok') backoff.reset(); // it was consuming: a new failure, not the same one
        this.state = {
          ...this.state,
          status: 'degraded',
          reason: `consuming failed, trying again: ${messageOf(error)}`,
        };
        this.options.onError?.(error, this.projection);
        await backoff.wait(signal);
      }
    }
    this.attempted();
  }

  /** Consumes until kafkajs gives up (resolves with why) or the signal aborts (resolves). */
  private async consumeUntilCrash(signal: AbortSignal): Promise<Error | undefined> {
    const { kafka, routing } = this.options;
    const topics = routing.topicsOf(this.projection.categories);
    await ensureTopics(kafka, [...topics, ...topics.map(deadLetterTopicOf)]);
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
      const batchSize = this.options.batchSize ?? 500;
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
          const { topic, partition } = batch;
          for (let from = 0; from < batch.messages.length; from += batchSize) {
            // A rebalance took the partition away, or the consumer stops: the rest comes again.
            if (!isRunning() || isStale()) return;
            const messages = batch.messages.slice(from, from + batchSize);
            await this.deliver({ topic, partition, messages });
            const last = messages[messages.length - 1];
            await commit(consumer, topic, partition, last);
            resolveOffset(last.offset); // or the next fetch brings the same messages again
            await heartbeat();
          }
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

const commit = (consumer: Consumer, topic: string, partition: number, message: KafkaMessage): Promise<void> =>
  consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
