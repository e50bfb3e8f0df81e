/**
 * Which Kafka topic an event goes to (DESIGN.md §6): one topic per context, `observa.<context>.events.v1`;
 * which context a stream category belongs to is configuration, and a category nobody routed is refused.
 */
import type { Admin, Kafka } from 'kafkajs';
import { categoryOf } from '#event-sourcing';

export const topicOf = (context: string): string => `observa.${context}.events.v1`;

/** Stream category → owning context, e.g. `{ mission: 'missions', observer: 'accreditation' }`. */
export type CategoryRoutes = Readonly<Record<string, string>>;

export class UnknownCategory extends Error {
  override readonly name = 'UnknownCategory';
  constructor(
    readonly category: string,
    readonly streamId?: string,
  ) {
    super(
      `no context is configured for stream category "${category}"${streamId ? ` (stream ${streamId})` : ''}: ` +
        'add it to the category routes',
    );
  }
}

const CONTEXT = /^[a-z][a-z0-9-]{0,100}$/;
const CATEGORY = /^[^-\s]{1,200}$/;

export class TopicRouting {
  private readonly routes: ReadonlyMap<string, string>;

  constructor(routes: CategoryRoutes) {
    for (const [category, context] of Object.entries(routes)) {
      if (!CATEGORY.test(category))
        throw new Error(`"${category}" is not a stream category (no dashes or spaces)`);
      if (!CONTEXT.test(context))
        throw new Error(`"${context}" is not a context name (lowercase letters, digits, dashes)`);
    }
    this.routes = new Map(Object.entries(routes));
  }

  get categories(): string[] {
    return [...this.routes.keys()];
  }

  /** Every topic the routes lead to. */
  get topics(): string[] {
    return [...new Set([...this.routes.values()].map(topicOf))];
  }

  topicOfStream(streamId: string): string {
    const category = categoryOf(streamId);
    const context = this.routes.get(category);
    if (context === undefined) throw new UnknownCategory(category, streamId);
    return topicOf(context);
  }

  /** The topics carrying these categories; no categories means all of them. */
  topicsOf(categories: readonly string[]): string[] {
    if (categories.length === 0) return this.topics;
    return [
      ...new Set(
        categories.map((category) => {
          const context = this.routes.get(category);
          if (context === undefined) throw new UnknownCategory(category);
          return topicOf(context);
        }),
      ),
    ];
  }
}

export type TopicSettings = {
  /** Broker defaults when absent (num.partitions, default.replication.factor). */
  readonly numPartitions?: number;
  readonly replicationFactor?: number;
};

/**
 * A freshly created topic can still be "unknown" to the broker for a moment after createTopics
 * returned (kafkajs waits only for "leader not available"), and once the metadata names a leader, that
 * leader can still answer "not the leader for that topic-partition" until it has opened the partition's
 * log: wait until every partition has a leader that answers for it (ListOffsets goes to the leader).
 */
const untilLed = async (admin: Admin, topics: readonly string[], timeoutMs = 30_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { topics: metadata } = await admin.fetchTopicMetadata({ topics: [...topics] });
      if (
        metadata.length === topics.length &&
        metadata.every((t) => t.partitions.every((p) => p.leader >= 0))
      ) {
        await Promise.all(topics.map((topic) => admin.fetchTopicOffsets(topic)));
        return;
      }
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline)
      throw new Error(`topics ${topics.join(', ')} have no partition leaders after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

/** Creates the topics that do not exist yet (brokers here never create topics on first use). */
export const ensureTopics = async (
  kafka: Kafka,
  topics: readonly string[],
  settings: TopicSettings = {},
): Promise<void> => {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((topic) => !existing.has(topic));
    if (missing.length === 0) return;
    // Returns false instead of failing when another process created one of them in between.
    await admin.createTopics({
      topics: missing.map((topic) => ({
        topic,
        numPartitions: settings.numPartitions ?? -1,
        replicationFactor: settings.replicationFactor ?? -1,
      })),
      // kafkajs' own wait fails on "does not host this topic-partition", which a broker that has just
      // started answers for a while; untilLed waits through it.
      waitForLeaders: false,
    });
    await untilLed(admin, missing);
  } finally {
    await admin.disconnect();
  }
};
