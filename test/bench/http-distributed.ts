/**
 * The http-distributed suite: the http suite's load (http.ts) against the distributed run mode, in
 * this one process — as test/e2e/distributed.ts boots it for the e2e specs, re-created here from what
 * dist has (#contracts, and libs/testing's postgres.ts / kafka.ts by path: the rest needs Jest):
 *
 *   the missions and accreditation context hosts (contextHost: gRPC on ephemeral ports, events on one
 *   fresh Postgres database, published to Kafka by their relays, projections fed from Kafka) and the
 *   gateway (gatewayHost: HTTP on an ephemeral port, the contexts' controllers forwarding over gRPC,
 *   identity hosted at the edge on the same database), plus the bench no-op module in the gateway.
 *
 * Same set-up (administrator, mission, secretariat role, wait until visible), same load (1 and 8
 * clients POSTing distinct applications, next to the no-op route on the same HTTP stack), same
 * interleaving, same catch-up of the applications read model (here through Kafka) after every submit
 * run. Contexts get per-run names (`missions-<run>`), hence their own topics and consumer groups on
 * the shared broker; topics and groups are deleted and the database dropped afterwards.
 *
 * Every host runs in this process on one event loop: the gateway's HTTP and gRPC client, both
 * contexts' gRPC servers, handlers, relays and Kafka consumers share one thread (a real deployment
 * spreads them over processes and machines).
 */
import { getDataSourceToken } from '@nestjs/typeorm';
import { pino } from 'pino';
import type { DataSource } from 'typeorm';
import { accreditation, missions, startOneProcessPlatform, type OneProcessPlatform } from '#contracts';
import { createLogger, localUrl, PinoLoggerService } from '#platform';
import { uniqueName } from '../../libs/testing/src/kafka.js';
import { createBenchDatabase, serverDescription } from './db.js';
import { ADMIN, JWT_SECRET, measureHttp, type Booted, type HttpTarget } from './http.js';
import { BenchNoopModule } from './http-noop.js';
import { benchKafka, brokerPids, kafkaBrokers, kafkaDescription } from './kafka.js';
import { DISTURBED_OTHER_CORES } from './stats.js';
import type { BenchContext, BenchSuite, Scenario, ScenarioResult } from './types.js';

/** Leaves the shared broker as it was (best effort): this run's topics and consumer groups. */
const cleanKafka = async (topics: readonly string[], groupPrefix: string): Promise<string[]> => {
  const problems: string[] = [];
  const admin = (await benchKafka('observa-bench-cleanup')).admin();
  try {
    await admin.connect();
    try {
      const { groups } = await admin.listGroups();
      const mine = groups.map((g) => g.groupId).filter((id) => id.startsWith(groupPrefix));
      if (mine.length > 0) await admin.deleteGroups(mine);
    } catch (error) {
      problems.push(`groups: ${(error as Error).message}`);
    }
    try {
      await admin.deleteTopics({ topics: [...topics], timeout: 10_000 });
    } catch (error) {
      problems.push(`topics: ${(error as Error).message}`);
    }
  } catch (error) {
    problems.push(`admin: ${(error as Error).message}`);
  } finally {
    await admin.disconnect();
  }
  return problems;
};

/** Both context hosts and the gateway (with the no-op route) on a fresh database; close() undoes it all. */
const bootDistributed = async (context: BenchContext): Promise<Booted> => {
  const database = await createBenchDatabase('http_distributed');
  const destination = pino.destination({ dest: '/dev/null', sync: false });
  const tearDown = async (platform?: OneProcessPlatform) => {
    await platform?.close();
    destination.end();
    await database.drop();
    if (!platform) return;
    const problems = await cleanKafka(platform.topics, platform.groupPrefix);
    if (problems.length > 0) context.log(`  distributed: Kafka clean-up incomplete: ${problems.join('; ')}`);
  };
  let platform: OneProcessPlatform | undefined;
  try {
    platform = await startOneProcessPlatform([missions, accreditation], {
      databaseUrl: database.url,
      kafkaBrokers: (await kafkaBrokers()).join(','),
      run: uniqueName('bench'),
      logLevel: 'info',
      // Production logs at info (each request at the gateway): to /dev/null, as the standalone variant does.
      logger: () => new PinoLoggerService(createLogger({ level: 'info', destination })),
      identity: {
        env: {
          OBSERVA_ADMIN_EMAIL: ADMIN.email,
          OBSERVA_ADMIN_PASSWORD: ADMIN.password,
          OBSERVA_JWT_SECRET: JWT_SECRET,
        },
      },
      imports: [BenchNoopModule],
    });
    const { gateway } = platform;
    return {
      app: gateway,
      baseUrl: localUrl(gateway),
      // The gateway's connection to the shared database: the users read model (login waits for it)
      // and the accreditation context's applications read model (the catch-up check) are both there.
      dataSource: gateway.get<DataSource>(getDataSourceToken()),
      close: () => tearDown(platform),
    };
  } catch (error) {
    await tearDown(platform);
    throw error;
  }
};

const target = (context: BenchContext): HttpTarget => ({
  label: 'distributed',
  databaseInProcess: false,
  appNote:
    "app: the gateway (gatewayHost: identity at the edge, the contexts' controllers forwarding over gRPC, " +
    'plus the bench no-op module) and the missions and accreditation context hosts (gRPC servers, relays ' +
    'to Kafka, projections from Kafka), all on one fresh database on the Postgres server of this machine, ' +
    'all in this one process on one event loop; logs at info to /dev/null',
  notes: [
    `the local Kafka broker JVM is part of the system under test: its CPU is reported as serviceCoresUsed ` +
      `and not counted as foreign load (a run is disturbed when the rest of "other" exceeds ${DISTURBED_OTHER_CORES} cores)`,
    "noop answers at the gateway (guard, mission-roles lookup in the gateway's identity read model, DTO " +
      'validation) without any gRPC; submit goes gateway -> gRPC -> accreditation handler -> event store, and the ' +
      'read model is fed through relay -> Kafka -> projection (outside the clock)',
    'a real deployment runs the gateway and each context in processes of their own (and the broker elsewhere): ' +
      "here they all share this process's main thread and the 2 cores",
  ],
  servicePids: brokerPids,
  boot: () => bootDistributed(context),
});

export const httpSubmitDistributed: Scenario = {
  name: 'submit-applications-distributed',
  description:
    'Observer applications submitted through the gateway of the distributed mode (missions and accreditation ' +
    'context hosts over gRPC, Kafka, one fresh Postgres database, all in this process), 1 and 8 keep-alive ' +
    'clients, each POST a new application stream (submit), next to a no-op route in the gateway validating ' +
    'the same DTO (noop); runs interleaved.',
  async run(context: BenchContext): Promise<ScenarioResult> {
    return {
      name: this.name,
      description: this.description,
      ...(await measureHttp(target(context), context)),
    };
  },
};

export const httpDistributedSuite: BenchSuite = {
  name: 'http-distributed',
  output: 'http-distributed.json',
  scenarios: [httpSubmitDistributed],
  environment: async () => ({
    postgres: await serverDescription().catch((error: Error) => ({ unreachable: error.message })),
    kafka: await kafkaDescription().catch((error: Error) => ({ unreachable: error.message })),
  }),
};
