/**
 * The distributed mode as `npm run start:distributed` runs it, inside the Jest process: the missions
 * and accreditation context hosts (gRPC on ephemeral ports, events on one fresh Postgres database,
 * published to Kafka by their relays, projections fed from Kafka) and the gateway (HTTP on an
 * ephemeral port, forwarding over gRPC, hosting identity on the same database). The same World as
 * startStandalone, so a spec runs in both modes:
 *
 *   describe.each([['standalone', startStandalone], ['distributed', startDistributed]])('%s', (_, start) => ...)
 *
 * Kafka is shared by every run: each World's contexts get their own names (`missions-<run>`), hence
 * their own topics and consumer groups; their gRPC services stay those of proto/observa/<context>/v1.
 */
import { accreditation, missions, startOneProcessPlatform } from '#contracts';
import {
  createTestDatabase,
  kafkaBrokers,
  messagesUpToTheirEnds,
  testKafka,
  uniqueName,
  type TestDatabase,
} from '#testing';
import { ENV, worldOn, type World } from './harness.js';

export type DistributedOptions = {
  /** Adds to (and overrides) the gateway's configuration variables (identity's, say). */
  readonly env?: Record<string, string>;
};

/** Every message value on `topics` up to their current ends, read by a throwaway consumer group. */
const payloadsOn = async (topics: readonly string[]): Promise<string[]> => {
  const messages = await messagesUpToTheirEnds(await testKafka('observa-e2e-reader'), topics, {
    reader: 'observa-e2e-reader',
    withinMs: 30_000,
  });
  return messages.map((message) => message.value?.toString('utf8') ?? '');
};

/** Leaves the shared broker as it was (best effort: a broker may refuse deletions). */
const dropTopics = async (topics: string[]): Promise<void> => {
  const admin = (await testKafka('observa-e2e-cleanup')).admin();
  try {
    await admin.connect();
    await admin.deleteTopics({ topics, timeout: 10_000 });
  } catch {
    // The names are unique to this run: a leftover topic disturbs no other.
  } finally {
    await admin.disconnect();
  }
};

/** Read models fed through Kafka lag behind a write longer than in-process ones. */
const PATIENCE = { timeoutMs: 30_000, intervalMs: 50 } as const;

/** Boots both context hosts and the gateway on a fresh database; `close()` stops them and drops it. */
export const startDistributed = async ({ env = {} }: DistributedOptions = {}): Promise<World> => {
  const database: TestDatabase = await createTestDatabase('observa_e2e');
  try {
    const platform = await startOneProcessPlatform([missions, accreditation], {
      databaseUrl: database.url,
      kafkaBrokers: (await kafkaBrokers()).join(','),
      run: uniqueName('e2e'),
      identity: { env: { ...ENV, ...env } },
    });
    return worldOn(platform.gateway, {
      mode: 'distributed',
      patience: PATIENCE,
      kafkaPayloads: () => payloadsOn(platform.topics),
      async close() {
        await platform.close();
        await database.drop();
        await dropTopics([...platform.topics]);
      },
    });
  } catch (error) {
    await database.drop();
    throw error;
  }
};
