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
import kafkajs, { type Kafka } from 'kafkajs';

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
