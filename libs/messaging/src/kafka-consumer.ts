/**
 * The distributed transport: a consumer group per projection on the topics of its categories. Each
 * message is applied in ONE transaction with its inbox row, and only then is its offset committed.
 * A redelivered event finds its inbox row and changes nothing.
 *
 * A message that cannot be decoded, or whose event the projection fails to apply for good, is parked
 * (observa_dead_letters, with the inbox row in the same transaction) after a copy has gone to the
 * dead-letter topic `<topic>.dlq`; then its offset is committed and the partition carries on. A
 * transient failure (the database away, a serialization conflict) parks nothing: the transaction
 * rolls back, the offset stays, and the message comes again.
 */
import type { Consumer, ConsumerConfig, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { categoryOf, decodeEvent, Upcasters, type RecordedEvent } from '#event-sourcing';
import {
  createDeadLettersTable,
  describeFailure,
  isTransientFailure,
  park,
  type DeadLetter,
  type Projection,
} from '#event-sourcing/projections';
import type { EventTransport, Running } from './event-transport.js';
import { createInboxTable, receiveOnce } from './inbox.js';
import { ensureTopics, TopicRouting } from './topics.js';

export type KafkaTransportOptions = {
  readonly kafka: Kafka;
  /** Where read models and the inbox live. */
  readonly dataSource: DataSource;
  readonly routing: TopicRouting;
  /** Consumer group = prefix + projection name. */
  readonly groupPrefix?: string;
  readonly upcasters?: Upcasters;
  /** Passed to kafkajs (session timeout, retry, fetch waits...). */
  readonly consumer?: Omit<ConsumerConfig, 'groupId'>;
  /** Told of each message parked, once its transaction has committed. */
  readonly onParked?: (letter: DeadLetter) => void;
};

/** Where a copy of each parked message goes: the topic it came from, suffixed. */
export const deadLetterTopicOf = (topic: string): string => `${topic}.dlq`;

type Delivery = { readonly topic: string; readonly partition: number; readonly message: KafkaMessage };

export class KafkaTransport implements EventTransport {
  private readonly upcasters: Upcasters;

  constructor(private readonly options: KafkaTransportOptions) {
    this.upcasters = options.upcasters ?? new Upcasters();
  }

  async start(projection: Projection): Promise<Running> {
    const { kafka, routing } = this.options;
    const topics = routing.topicsOf(projection.categories);
    await createInboxTable(this.options.dataSource);
    await createDeadLettersTable(this.options.dataSource);
    await ensureTopics(kafka, [...topics, ...topics.map(deadLetterTopicOf)]);
    const consumer = kafka.consumer({ ...this.options.consumer, groupId: this.groupOf(projection) });
    // Connected at the first dead letter: most consumers never need it.
    const deadLetters = lazyProducer(kafka);
    let stopping = false;
    await consumer.connect();
    try {
      await consumer.subscribe({ topics, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachMessage: async (delivery) => {
          await this.deliver(projection, delivery, deadLetters, () => stopping);
          await commit(consumer, delivery.topic, delivery.partition, delivery.message);
        },
      });
    } catch (error) {
      await consumer.disconnect();
      throw error;
    }
    return {
      async stop() {
        stopping = true;
        await consumer.disconnect();
        await deadLetters.disconnect();
      },
    };
  }

  /** The projection's consumer group, e.g. to reset its offsets. */
  groupOf(projection: Projection): string {
    return `${this.options.groupPrefix ?? ''}${projection.name}`;
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
      // A context's topic carries all its categories; this projection may read only some.
      if (projection.categories.length > 0 && !projection.categories.includes(categoryOf(event.streamId)))
        return;
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

const commit = (consumer: Consumer, topic: string, partition: number, message: KafkaMessage): Promise<void> =>
  consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
