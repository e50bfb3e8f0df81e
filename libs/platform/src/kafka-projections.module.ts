/**
 * The distributed variant of ProjectionsModule (DESIGN.md §4): the same ProjectionHost, fed through
 * Kafka — a consumer group per projection, each event applied with its inbox row in one transaction.
 * Contexts register their projections with ProjectionHost as they do standalone.
 */
import { Logger, Module, type DynamicModule } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import type { Upcasters } from '#event-sourcing';
import type { Projection } from '#event-sourcing/projections';
import {
  EVENT_TRANSPORT,
  KafkaTransport,
  type EventTransport,
  type KafkaTransportOptions,
  type Running,
  type TopicRouting,
} from '#messaging';
import { logParked, ProjectionHost } from './projections.module.js';

export type KafkaProjectionsOptions = {
  readonly kafka: Kafka;
  /** Must route every category a projection of this process reads. */
  readonly routing: TopicRouting;
  /** Consumer group = prefix + projection name, e.g. `observa.missions.`. */
  readonly groupPrefix: string;
  readonly upcasters?: Upcasters;
  readonly consumer?: KafkaTransportOptions['consumer'];
  /** How long a projection keeps trying to join its group at start-up (default 60 s). */
  readonly startTimeoutMs?: number;
};

/**
 * A broker that has just created a topic may not lead its partitions yet ("This server does not host
 * this topic-partition"): starting is retried for a while rather than failing the whole process.
 */
class PatientStart implements EventTransport {
  private readonly logger = new Logger('Projections');

  constructor(
    private readonly transport: EventTransport,
    private readonly timeoutMs: number,
  ) {}

  async start(projection: Projection): Promise<Running> {
    const deadline = Date.now() + this.timeoutMs;
    for (let delayMs = 250; ; delayMs = Math.min(delayMs * 2, 5000)) {
      try {
        return await this.transport.start(projection);
      } catch (error) {
        if (Date.now() + delayMs > deadline) throw error;
        this.logger.warn(
          `${projection.name} could not join Kafka yet, trying again in ${delayMs} ms: ${String(error)}`,
        );
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  }
}

@Module({})
export class KafkaProjectionsModule {
  static forRoot(options: KafkaProjectionsOptions): DynamicModule {
    return {
      module: KafkaProjectionsModule,
      global: true,
      providers: [
        {
          provide: EVENT_TRANSPORT,
          inject: [getDataSourceToken()],
          useFactory: (dataSource: DataSource) => {
            new Logger('Projections').log(
              `fed from Kafka, consumer groups ${options.groupPrefix}<projection>`,
            );
            return new PatientStart(
              new KafkaTransport({ ...options, dataSource, onParked: logParked }),
              options.startTimeoutMs ?? 60_000,
            );
          },
        },
        ProjectionHost,
      ],
      exports: [ProjectionHost],
    };
  }
}
