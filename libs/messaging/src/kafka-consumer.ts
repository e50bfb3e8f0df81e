/**
 * The distributed transport: a consumer group per projection on the topics of its categories. Each
 * message is applied in ONE transaction with its inbox row, and only then is its offset committed.
 * A redelivered event finds its inbox row and changes nothing; a handler that throws rolls back
 * everything it wrote, leaves the offset where it was, and the message comes again.
 */
import type { Consumer, ConsumerConfig, Kafka, KafkaMessage } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { categoryOf, Upcasters } from '#event-sourcing';
import type { Projection } from '#event-sourcing/projections';
import { decodeEvent } from './event-codec.js';
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
};

export class KafkaTransport implements EventTransport {
  private readonly upcasters: Upcasters;

  constructor(private readonly options: KafkaTransportOptions) {
    this.upcasters = options.upcasters ?? new Upcasters();
  }

  async start(projection: Projection): Promise<Running> {
    const { kafka, routing } = this.options;
    const topics = routing.topicsOf(projection.categories);
    await createInboxTable(this.options.dataSource);
    await ensureTopics(kafka, topics);
    const consumer = kafka.consumer({ ...this.options.consumer, groupId: this.groupOf(projection) });
    await consumer.connect();
    try {
      await consumer.subscribe({ topics, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachMessage: async ({ topic, partition, message }) => {
          await this.deliver(projection, message);
          await commit(consumer, topic, partition, message);
        },
      });
    } catch (error) {
      await consumer.disconnect();
      throw error;
    }
    return { stop: () => consumer.disconnect() };
  }

  /** The projection's consumer group, e.g. to reset its offsets. */
  groupOf(projection: Projection): string {
    return `${this.options.groupPrefix ?? ''}${projection.name}`;
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

const commit = (consumer: Consumer, topic: string, partition: number, message: KafkaMessage): Promise<void> =>
  consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
