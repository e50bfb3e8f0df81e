/**
 * Keeps every registered projection fed while the process runs. Contexts register their projections
 * when their module initialises; the host starts them all once the application has bootstrapped, on
 * whichever EventTransport the app bound (in-process when standalone, Kafka when distributed).
 */
import {
  Inject,
  Injectable,
  Logger,
  Module,
  type BeforeApplicationShutdown,
  type DynamicModule,
  type OnApplicationBootstrap,
  type Provider,
} from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { EVENT_STORE, type EventStore } from '#event-sourcing';
import { createCheckpointsTable, loadCheckpoint, type Projection } from '#event-sourcing/projections';
import { EVENT_TRANSPORT, InProcessTransport, type EventTransport, type Running } from '#messaging';
import { Metrics } from './metrics.js';

const LAG_COUNTED_UP_TO = 1_000_000;

@Injectable()
export class ProjectionHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Projections');
  private readonly projections = new Map<string, Projection>();
  private readonly running: Running[] = [];

  constructor(
    @Inject(EVENT_TRANSPORT) private readonly transport: EventTransport,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(getDataSourceToken()) private readonly dataSource: DataSource,
    metrics: Metrics,
  ) {
    metrics.refreshOnScrape(async () => {
      for (const projection of this.projections.values())
        metrics.setProjectionLag(projection.name, await this.lagOf(projection));
    });
  }

  /** Events of the projection's categories after its checkpoint (counted up to a million). */
  async lagOf(projection: Projection): Promise<number> {
    await createCheckpointsTable(this.dataSource);
    const after = await loadCheckpoint(this.dataSource, projection.name);
    return this.store.countEvents({ after, categories: projection.categories, atMost: LAG_COUNTED_UP_TO });
  }

  register(projection: Projection): void {
    if (this.projections.has(projection.name)) throw new Error(`two projections named ${projection.name}`);
    this.projections.set(projection.name, projection);
  }

  async onApplicationBootstrap(): Promise<void> {
    for (const projection of this.projections.values()) this.running.push(await this.transport.start(projection));
    if (this.projections.size > 0) this.logger.log(`feeding ${[...this.projections.keys()].join(', ')}`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.running.splice(0).map((r) => r.stop()));
  }
}

const inProcess: Provider = {
  provide: EVENT_TRANSPORT,
  inject: [EVENT_STORE, getDataSourceToken()],
  useFactory: (store: EventStore, dataSource: DataSource) =>
    new InProcessTransport(store, dataSource, {
      retryDelayMs: 1000,
      onError: (error, projection) =>
        new Logger('Projections').error(`${projection.name} failed; retrying from its checkpoint: ${String(error)}`),
    }),
};

@Module({})
export class ProjectionsModule {
  /** Standalone: projections read the store directly, with checkpoints. */
  static inProcess(): DynamicModule {
    return { module: ProjectionsModule, global: true, providers: [inProcess, ProjectionHost], exports: [ProjectionHost] };
  }
}
