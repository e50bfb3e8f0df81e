/**
 * The distributed variant of ProjectionsModule (DESIGN.md §3-4): the same ProjectionHost, with each
 * projection fed by the path that keeps it closest to its events. A projection reading only the
 * context's own categories is fed from the context's own event store, as standalone, so no broker
 * stands between a context and its own views and they keep up while the broker is away. A projection
 * reading another context's categories is fed from Kafka: a consumer group per projection, each event
 * applied with its inbox row in one transaction. Contexts register their projections with
 * ProjectionHost as they do standalone.
 */
import { Logger, Module, type DynamicModule } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { EVENT_STORE, type EventStore, type Upcasters } from '#event-sourcing';
import type { Projection } from '#event-sourcing/projections';
import {
  EVENT_TRANSPORT,
  KafkaTransport,
  type EventTransport,
  type FeedState,
  type KafkaTransportOptions,
  type Running,
  type TopicRouting,
} from '#messaging';
import { inProcessTransport, logParked, ProjectionHost } from './projections.module.js';

export type KafkaProjectionsOptions = {
  readonly kafka: Kafka;
  /** Must route every category a projection of this process reads. */
  readonly routing: TopicRouting;
  /** The categories this context appends itself: projections reading only these are fed from the store. */
  readonly ownCategories: readonly string[];
  /** Consumer group = prefix + projection name, e.g. `observa.missions.`. */
  readonly groupPrefix: string;
  readonly upcasters?: Upcasters;
  readonly consumer?: KafkaTransportOptions['consumer'];
};

/** Own categories from the store, the rest from Kafka. */
export class OwnStoreOrKafka implements EventTransport {
  private readonly logger = new Logger('Projections');

  constructor(
    private readonly own: EventTransport,
    private readonly kafka: KafkaTransport,
    private readonly ownCategories: readonly string[],
  ) {}

  /** A projection that reads no category in particular reads everyone's: that comes through Kafka. */
  readsOnlyOwn(projection: Projection): boolean {
    return (
      projection.categories.length > 0 &&
      projection.categories.every((category) => this.ownCategories.includes(category))
    );
  }

  start(projection: Projection): Promise<Running> {
    const own = this.readsOnlyOwn(projection);
    this.logger.log(`${projection.name} fed ${own ? 'from the event store' : 'from Kafka'}`);
    if (own) return this.own.start(projection);
    // Not waited for: a consumer joins its group up to a session timeout after a crash (the dead member
    // is waited out), and the process serves commands as soon as its store answers, not then.
    const starting = this.kafka.start(projection);
    starting.catch((error: unknown) =>
      this.logger.error(`${projection.name} could not start consuming: ${String(error)}`),
    );
    return Promise.resolve({
      stop: async () => {
        const running = await starting.catch(() => undefined);
        await running?.stop();
      },
    });
  }

  async lagOf(projection: Projection): Promise<number | undefined> {
    return this.readsOnlyOwn(projection) ? undefined : this.kafka.lagOf(projection);
  }

  states(): FeedState[] {
    return this.kafka.states();
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
          inject: [EVENT_STORE, getDataSourceToken()],
          useFactory: (store: EventStore, dataSource: DataSource) => {
            const logger = new Logger('Projections');
            const kafka = new KafkaTransport({
              ...options,
              dataSource,
              onParked: logParked,
              onError: (error, projection) =>
                logger.warn(`${projection.name} stopped consuming; joining again: ${String(error)}`),
            });
            return new OwnStoreOrKafka(inProcessTransport(store, dataSource), kafka, options.ownCategories);
          },
        },
        ProjectionHost,
      ],
      exports: [ProjectionHost],
    };
  }
}
