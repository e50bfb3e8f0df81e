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
  Optional,
  type BeforeApplicationShutdown,
  type DynamicModule,
  type OnApplicationBootstrap,
  type Provider,
} from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { EVENT_STORE, NotFound, type EventStore } from '#event-sourcing';
import {
  createCheckpointsTable,
  loadCheckpoint,
  ProjectionRunner,
  type Projection,
  type RebuildOptions,
} from '#event-sourcing/projections';
import { EVENT_TRANSPORT, InProcessTransport, type EventTransport, type Running } from '#messaging';
import { HealthParts } from './health.js';
import { Metrics } from './metrics.js';

// A scrape counts rows: past this many, "at least" is all a dashboard needs (the relay counts to the same).
const LAG_COUNTED_UP_TO = 100_000;

/** false: the host keeps its projections registered but feeds none (a rebuild run from the command line). */
export const FEED_PROJECTIONS = Symbol('FeedProjections');

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
    @Optional() @Inject(FEED_PROJECTIONS) private readonly feed: boolean = true,
    @Optional() @Inject(HealthParts) parts?: HealthParts,
  ) {
    metrics.refreshOnScrape(async () => {
      const lags = await Promise.allSettled(
        [...this.projections.values()].map(async (p) => [p.name, await this.lagOf(p)] as const),
      );
      // A Kafka-fed lag the broker cannot tell now keeps its last value; /health says why.
      for (const lag of lags) if (lag.status === 'fulfilled') metrics.setProjectionLag(...lag.value);
    });
    const states = transport.states?.bind(transport);
    if (states) parts?.add(() => (this.feed ? states() : []));
  }

  /**
   * What the projection has still to apply, by the checkpoint it really moves: its transport's count
   * when it has one (a Kafka consumer group's lag), else the events of its categories after its
   * checkpoint in the store (counted up to LAG_COUNTED_UP_TO).
   */
  async lagOf(projection: Projection): Promise<number> {
    const counted = await this.transport.lagOf?.(projection);
    if (counted !== undefined) return Math.min(counted, LAG_COUNTED_UP_TO);
    await createCheckpointsTable(this.dataSource);
    const after = await loadCheckpoint(this.dataSource, projection.name);
    return this.store.countEvents({ after, categories: projection.categories, atMost: LAG_COUNTED_UP_TO });
  }

  register(projection: Projection): void {
    if (this.projections.has(projection.name)) throw new Error(`two projections named ${projection.name}`);
    this.projections.set(projection.name, projection);
  }

  names(): string[] {
    return [...this.projections.keys()];
  }

  /**
   * Empties a projection's read model and applies its whole history again, reporting progress;
   * with `resume`, carries on with a rebuild that was interrupted. Reads the store directly, so it
   * belongs to hosts fed in-process (a Kafka-fed projection keys its effects on an inbox instead).
   */
  rebuild(name: string, options: RebuildOptions = {}): Promise<number> {
    const projection = this.projections.get(name);
    if (!projection)
      throw new NotFound(`no projection named ${name} (there are: ${this.names().join(', ')})`);
    return new ProjectionRunner(this.store, this.dataSource, projection).rebuild(options);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.feed) return;
    for (const projection of this.projections.values())
      this.running.push(await this.transport.start(projection));
    if (this.projections.size > 0) this.logger.log(`feeding ${[...this.projections.keys()].join(', ')}`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.running.splice(0).map((r) => r.stop()));
  }
}

/** Projections read the store directly, with checkpoints; one that fails is retried from its checkpoint. */
export const inProcessTransport = (store: EventStore, dataSource: DataSource): EventTransport =>
  new InProcessTransport(store, dataSource, {
    retryDelayMs: 1000,
    onError: (error, projection) =>
      new Logger('Projections').error(
        `${projection.name} failed; retrying from its checkpoint: ${String(error)}`,
      ),
  });

const inProcess: Provider = {
  provide: EVENT_TRANSPORT,
  inject: [EVENT_STORE, getDataSourceToken()],
  useFactory: inProcessTransport,
};

@Module({})
export class ProjectionsModule {
  /** Standalone: projections read the store directly, with checkpoints. */
  static inProcess(options: { feed?: boolean } = {}): DynamicModule {
    return {
      module: ProjectionsModule,
      global: true,
      providers: [inProcess, { provide: FEED_PROJECTIONS, useValue: options.feed ?? true }, ProjectionHost],
      exports: [ProjectionHost],
    };
  }
}
