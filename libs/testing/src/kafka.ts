/**
 * A Kafka broker for tests: KAFKA_BROKERS when set, else the local broker of deploy/kafka/kafka.sh on
 * KAFKA_PORT (19092), started on first use and left running for the next test file
 * (`npm run kafka:stop` stops it). Tests share a broker, so every name they create must be unique.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import kafkajs, { type Kafka, type KafkaMessage } from 'kafkajs';

const { Kafka: KafkaClient, logLevel } = kafkajs;

const SCRIPT = join('deploy', 'kafka', 'kafka.sh');

export const repositoryRoot = (): string => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, SCRIPT))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`${SCRIPT} not found above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
  return dir;
};

const startLocalBroker = async (): Promise<string[]> => {
  const port = Number(process.env.KAFKA_PORT ?? 19092);
  const root = repositoryRoot();
  const { stdout } = await promisify(execFile)('bash', [join(root, SCRIPT), 'start'], {
    cwd: root,
    timeout: 180_000,
    env: {
      ...process.env,
      KAFKA_PORT: String(port),
      KAFKA_CONTROLLER_PORT: process.env.KAFKA_CONTROLLER_PORT ?? String(port + 1),
    },
  });
  const match = /^KAFKA_BROKERS=(.+)$/m.exec(stdout);
  if (!match) throw new Error(`kafka.sh start did not print KAFKA_BROKERS: ${stdout}`);
  return match[1].split(',');
};

let local: Promise<string[]> | undefined;

/** Broker addresses for kafkajs; starting the local broker can take a minute the first time. */
export const kafkaBrokers = (): Promise<string[]> => {
  const configured = process.env.KAFKA_BROKERS?.split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  if (configured?.length) return Promise.resolve(configured);
  local ??= startLocalBroker().catch((error: unknown) => {
    local = undefined;
    throw error;
  });
  return local;
};

/** A kafkajs client on the test broker, quiet unless KAFKAJS_LOG_LEVEL (ERROR, WARN, INFO, DEBUG) says otherwise. */
export const testKafka = async (clientId = 'observa-test'): Promise<Kafka> =>
  new KafkaClient({
    clientId,
    brokers: await kafkaBrokers(),
    logLevel:
      logLevel[(process.env.KAFKAJS_LOG_LEVEL ?? 'NOTHING') as keyof typeof logLevel] ?? logLevel.NOTHING,
  });

/**
 * A name no other test uses, for contexts (hence topics), consumer groups and stream categories:
 * `prefix` then 8 hex digits, no dash, so it is also a valid category.
 */
export const uniqueName = (prefix: string): string => `${prefix}${randomBytes(4).toString('hex')}`;

export type ReadToEndsOptions = {
  /** Names the throwaway consumer group (`<reader>-<random>`). */
  readonly reader: string;
  /** Rejects when the topics are not read to their ends within this time. */
  readonly withinMs: number;
  /** Skips topics the broker does not have (by default they fail the read). */
  readonly skipMissingTopics?: boolean;
};

/**
 * Every message on `topics` up to their ends as they are when it starts, read from the beginning by
 * a throwaway consumer group: what a consumer would see of what was published so far.
 */
export const messagesUpToTheirEnds = async (
  kafka: Kafka,
  topics: readonly string[],
  { reader, withinMs, skipMissingTopics = false }: ReadToEndsOptions,
): Promise<KafkaMessage[]> => {
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<string, bigint>();
  try {
    const existing = skipMissingTopics ? new Set(await admin.listTopics()) : undefined;
    for (const topic of topics.filter((t) => existing?.has(t) ?? true))
      for (const { partition, high } of await admin.fetchTopicOffsets(topic))
        if (BigInt(high) > 0n) ends.set(`${topic}:${partition}`, BigInt(high));
  } finally {
    await admin.disconnect();
  }
  const messages: KafkaMessage[] = [];
  if (ends.size === 0) return messages;
  const consumer = kafka.consumer({ groupId: uniqueName(`${reader}-`) });
  await consumer.connect();
  try {
    await consumer.subscribe({
      topics: [...new Set([...ends.keys()].map((key) => key.slice(0, key.lastIndexOf(':'))))],
      fromBeginning: true,
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`topics not read to their ends within ${withinMs / 1000} s`)),
        withinMs,
      );
      void consumer
        .run({
          eachMessage: async ({ topic, partition, message }) => {
            messages.push(message);
            const key = `${topic}:${partition}`;
            if (BigInt(message.offset) + 1n >= (ends.get(key) ?? 0n)) ends.delete(key);
            if (ends.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return messages;
};

/**
 * A broker of the test's own, to stop, wipe and start again: deploy/kafka/kafka.sh on
 * KAFKA_BREAKABLE_PORT (29092; controller on the next port), never the shared broker of KAFKA_BROKERS.
 */
export class BreakableBroker {
  readonly brokers: readonly string[];

  /** `port`: another broker of one's own beside the one on KAFKA_BREAKABLE_PORT (test/reliability's). */
  constructor(readonly port = Number(process.env.KAFKA_BREAKABLE_PORT ?? 29092)) {
    this.brokers = [`127.0.0.1:${this.port}`];
    const shared = process.env.KAFKA_BROKERS ?? '127.0.0.1:19092';
    if (shared.split(',').some((b) => b.trim().endsWith(`:${this.port}`)))
      throw new Error(`KAFKA_BREAKABLE_PORT ${this.port} is the shared broker's port: choose another`);
  }

  /** Runs `kafka.sh <command>` (start, stop, wipe, status, cluster-id); its stdout. */
  async run(command: string): Promise<string> {
    const root = repositoryRoot();
    const { stdout } = await promisify(execFile)('bash', [join(root, SCRIPT), command], {
      cwd: root,
      timeout: 180_000,
      env: {
        ...process.env,
        KAFKA_PORT: String(this.port),
        KAFKA_CONTROLLER_PORT: String(this.port + 1),
      },
    });
    return stdout;
  }

  start = () => this.run('start');
  stop = () => this.run('stop');
  wipe = () => this.run('wipe');

  /** A kafkajs client on it that gives up quickly, so that tests see failures within seconds. */
  client(clientId: string): Kafka {
    return new KafkaClient({
      clientId,
      brokers: [...this.brokers],
      connectionTimeout: 1000,
      retry: { initialRetryTime: 100, maxRetryTime: 1000, retries: 3 },
      logLevel:
        logLevel[(process.env.KAFKAJS_LOG_LEVEL ?? 'NOTHING') as keyof typeof logLevel] ?? logLevel.NOTHING,
    });
  }
}
