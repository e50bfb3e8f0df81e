/**
 * A context in its own process (DESIGN.md §4, distributed): its module behind a gRPC server, its events
 * on the Postgres server at DATABASE_URL, published to Kafka by its relay for other contexts; its
 * projections of its own events fed from its store, those of other contexts' events from Kafka. A Nest microservice, so the module's HTTP controllers are not served here; GET /health and
 * /metrics are (operations-server.ts).
 */
import { Module, type DynamicModule, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { MicroserviceOptions } from '@nestjs/microservices';
import kafkajs, { type Kafka } from 'kafkajs';
import { TopicRouting } from '#messaging';
import {
  AppConfigModule,
  ConfigInvalid,
  createLogger,
  EventStoreModule,
  HealthModule,
  kafkaLogCreator,
  kafkaLogLevelFor,
  type Logger,
  MetricsModule,
  PinoLoggerService,
  ReadModelsModule,
  type AppConfig,
} from '#platform';
import { KafkaProjectionsModule } from '#platform';
import type { ContextDefinition } from './context-definition.js';
import { GrpcHealthController } from './grpc-health.controller.js';
import { contextEndpoint, grpcOptions, type ContextEndpoint } from './grpc-endpoint.js';
import { OperationsServer } from './operations-server.js';
import { RelayModule } from './relay.module.js';

export type ContextHostOptions = {
  /** DATABASE_URL and KAFKA_BROKERS are required; PORT is the operations port. */
  readonly config: AppConfig;
  /** host:port the gRPC server binds (0.0.0.0:50051 in a container). */
  readonly grpcUrl: string;
  /** Defaults to proto/observa/<name>/v1/<name>.proto, service <Name>Service. */
  readonly endpoint?: ContextEndpoint;
  /** Defaults to a client on config.kafkaBrokers. */
  readonly kafka?: Kafka;
  /** Consumer groups are this prefix + projection name; defaults to `observa.<name>.`. */
  readonly groupPrefix?: string;
  readonly logger?: PinoLoggerService;
};

type Resolved = Required<
  Pick<ContextHostOptions, 'config' | 'kafka' | 'endpoint' | 'groupPrefix'>
>;

const kafkaOn = (brokers: readonly string[], clientId: string, logger: Logger): Kafka =>
  new kafkajs.Kafka({
    clientId,
    brokers: [...brokers],
    logLevel: kafkaLogLevelFor(logger),
    logCreator: kafkaLogCreator(logger),
  });

const requireDistributedConfig = (config: AppConfig): void => {
  const problems = [
    ...(config.databaseUrl
      ? []
      : ['DATABASE_URL is required: a context process keeps its events on a Postgres server']),
    ...(config.kafkaBrokers.length > 0
      ? []
      : ['KAFKA_BROKERS is required: a context process publishes and consumes through Kafka']),
  ];
  if (problems.length > 0) throw new ConfigInvalid(problems);
};

@Module({})
export class ContextHostModule {
  static forRoot(context: ContextDefinition, options: Resolved): DynamicModule {
    const routing = new TopicRouting({
      ...context.reads,
      ...Object.fromEntries(context.categories.map((category) => [category, context.name])),
    });
    return {
      module: ContextHostModule,
      imports: [
        AppConfigModule.forRoot(options.config),
        MetricsModule,
        EventStoreModule.forRoot(options.config),
        ReadModelsModule,
        KafkaProjectionsModule.forRoot({
          kafka: options.kafka,
          routing,
          ownCategories: context.categories,
          groupPrefix: options.groupPrefix,
        }),
        RelayModule.forRoot({
          name: context.name,
          kafka: options.kafka,
          routing,
          categories: context.categories,
        }),
        HealthModule,
        context.module,
      ],
      controllers: [...(context.service ? [context.service.controller] : []), GrpcHealthController],
    };
  }
}

/** A context's process: `start(opsPort)` serves gRPC and operations HTTP, `close()` stops both. */
export class ContextHost {
  constructor(
    readonly app: INestMicroservice,
    readonly operations: OperationsServer,
  ) {}

  async start(opsPort: number, opsHost?: string): Promise<void> {
    await this.app.listen();
    await this.operations.listen(opsPort, opsHost);
  }

  async close(): Promise<void> {
    await this.operations.close();
    await this.app.close();
  }
}

export const contextHost = async (
  context: ContextDefinition,
  options: ContextHostOptions,
): Promise<ContextHost> => {
  requireDistributedConfig(options.config);
  const endpoint = options.endpoint ?? contextEndpoint(context.name);
  const logger = options.logger ?? new PinoLoggerService(createLogger({ level: options.config.logLevel }));
  const module = ContextHostModule.forRoot(context, {
    config: options.config,
    kafka: options.kafka ?? kafkaOn(options.config.kafkaBrokers, `observa-${context.name}`, logger.pino),
    endpoint,
    groupPrefix: options.groupPrefix ?? `observa.${context.name}.`,
  });
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(module, {
    ...grpcOptions(endpoint, options.grpcUrl),
    logger,
    abortOnError: false,
  });
  return new ContextHost(app, new OperationsServer(app));
};
