/**
 * The distributed mode inside one process, for tests and benchmarks: each context host (gRPC on an
 * ephemeral port, events on the given database, relay to Kafka, projections from Kafka) and then the
 * gateway (HTTP on an ephemeral port, identity on the same database). `run` names this boot: the
 * contexts become `<name>-<run>`, so their topics and consumer groups on a shared broker are its own.
 */
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { IdentityModuleOptions } from '#auth';
import { topicOf } from '#messaging';
import { loadConfig, type HttpAppOptions, type LogLevelName, type PinoLoggerService } from '#platform';
import { findContext, notWrittenYet, type ContextSource } from './context-definition.js';
import { contextHost, type ContextHost } from './context-host.js';
import { contextEndpoint } from './grpc-endpoint.js';
import { gatewayHost, type GatewayContext, type GatewayHostOptions } from './gateway-host.js';

export type OneProcessPlatformOptions = {
  readonly databaseUrl: string;
  /** host:port,… */
  readonly kafkaBrokers: string;
  readonly run: string;
  readonly logLevel?: LogLevelName;
  /** A logger per host (each gets its own), e.g. to send production-level logs somewhere cheap. */
  readonly logger?: () => PinoLoggerService;
  /** Identity at the gateway; `env` adds to the gateway's configuration (OBSERVA_JWT_SECRET, OBSERVA_ADMIN_*, …). */
  readonly identity?: IdentityModuleOptions & { readonly env?: NodeJS.ProcessEnv };
  readonly imports?: GatewayHostOptions['imports'];
  readonly http?: HttpAppOptions;
  /**
   * The key-encryption key of the contexts that keep personal data; by default a file per database
   * under the temporary folder, so that a platform booted again on the same database finds it.
   */
  readonly kekFile?: string;
};

export type OneProcessPlatform = {
  readonly gateway: NestExpressApplication;
  readonly contexts: readonly GatewayContext[];
  /** The Kafka topics of this boot's contexts. */
  readonly topics: readonly string[];
  /** Every consumer group of this boot starts with it. */
  readonly groupPrefix: string;
  /** Stops the gateway, then the contexts; the database and the topics are the caller's. */
  close(): Promise<void>;
};

/** A loopback port nothing listens on right now (gRPC servers need one named up front). */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });

export const startOneProcessPlatform = async (
  sources: readonly ContextSource[],
  options: OneProcessPlatformOptions,
): Promise<OneProcessPlatform> => {
  const groupPrefix = `observa.${options.run}.`;
  const logLevel = options.logLevel ?? 'silent';
  const hosts: ContextHost[] = [];
  const contexts: GatewayContext[] = [];
  const closeHosts = async () => {
    for (const host of hosts.splice(0).reverse()) await host.close();
  };
  try {
    // One after the other: they migrate the same database.
    for (const source of sources) {
      const found = await findContext(source);
      if (!found) throw new Error(notWrittenYet(source));
      const definition = { ...found, name: `${source.name}-${options.run}` };
      const endpoint = contextEndpoint(source.name);
      const grpcUrl = `127.0.0.1:${await freePort()}`;
      const host = await contextHost(definition, {
        config: loadConfig({
          DATABASE_URL: options.databaseUrl,
          KAFKA_BROKERS: options.kafkaBrokers,
          LOG_LEVEL: logLevel,
          OBSERVA_KEK_FILE:
            options.kekFile ??
            join(
              tmpdir(),
              'observa-kek',
              `${new URL(options.databaseUrl).pathname.slice(1) || 'postgres'}.kek`,
            ),
        }),
        grpcUrl,
        endpoint,
        groupPrefix: `${groupPrefix}${source.name}.`,
        ...(options.logger && { logger: options.logger() }),
      });
      hosts.push(host);
      await host.start(0, '127.0.0.1');
      contexts.push({ definition, url: grpcUrl, endpoint });
    }
    const gateway = await gatewayHost({
      // Its clients (tests, benches) speak for many addresses with X-Forwarded-For, as a proxy on loopback would.
      config: loadConfig({
        ...options.identity?.env,
        DATABASE_URL: options.databaseUrl,
        LOG_LEVEL: logLevel,
        OBSERVA_TRUST_PROXY: 'loopback',
      }),
      contexts,
      identity: { ...(options.identity?.now && { now: options.identity.now }) },
      ...(options.imports && { imports: options.imports }),
      http: { ...options.http, ...(options.logger && { logger: options.logger() }) },
    });
    try {
      await gateway.listen(0, '127.0.0.1');
    } catch (error) {
      await gateway.close();
      throw error;
    }
    return {
      gateway,
      contexts,
      topics: contexts.map(({ definition }) => topicOf(definition.name)),
      groupPrefix,
      async close() {
        await gateway.close();
        await closeHosts();
      },
    };
  } catch (error) {
    await closeHosts();
    throw error;
  }
};
