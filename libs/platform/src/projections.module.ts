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
  countDeadLetters,
  createCheckpointsTable,
  createDeadLettersTable,
  listDeadLetters,
  loadCheckpoint,
  ProjectionRunner,
  replayDeadLetters,
  type DeadLetter,
  type Projection,
  type RebuildOptions,
  type ReplayOutcome,
} from '#event-sourcing/projections';
import { EVENT_TRANSPORT, InProcessTransport, type EventTransport, type Running } from '#messaging';
import { HealthParts } from './health-parts.js';
import { Metrics } from './metrics.js';

// A scrape counts rows: past this many, "at least" is all a dashboard needs (the relay counts to the same).
const LAG_COUNTED_UP_TO = 100_000;

/** false: the host keeps its projections registered but feeds none (a rebuild run from the command line). */
export const FEED_PROJECTIONS = Symbol('FeedProjections');

/** A projection with events it could not apply, parked (DESIGN.md §3). */
export type ParkedEvents = {
  readonly projection: string;
  readonly count: number;
  readonly lastParkedAt: Date;
};

/** Says, once the transaction is committed, that a projection has parked an event. */
export const logParked = (letter: DeadLetter): void =>
  new Logger('Projections').error(
    `${letter.projection} parked event ${letter.eventId}` +
      `${letter.streamId ? ` (${letter.type} of ${letter.streamId} at ${letter.globalPosition})` : ''}` +
      ` from ${letter.origin} and carries on: ${letter.error}; \`npm run dead-letters\` lists it`,
  );

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
    metrics.refreshOnScrape(async () => {
      const parked = new Map((await this.parked()).map((p) => [p.projection, p.count]));
      for (const name of this.projections.keys()) metrics.setParkedEvents(name, parked.get(name) ?? 0);
    });
    const states = transport.states?.bind(transport);
    if (states) parts?.add(() => (this.feed ? states() : []));
  }

  /** The registered projections that have parked events, and how many. */
  async parked(): Promise<ParkedEvents[]> {
    await createDeadLettersTable(this.dataSource);
    const counts = await countDeadLetters(this.dataSource);
    return this.names().flatMap((projection) => {
      const parked = counts.get(projection);
      return parked ? [{ projection, ...parked }] : [];
    });
  }

  /** The events a projection (every projection when none is named) has parked, oldest first. */
  async deadLetters(name?: string): Promise<DeadLetter[]> {
    if (name !== undefined) this.projectionNamed(name);
    await createDeadLettersTable(this.dataSource);
    const letters = await listDeadLetters(this.dataSource, name);
    return letters.filter((letter) => this.projections.has(letter.projection));
  }

  /**
   * Parked events whose stream has later events that were not parked: the projection has applied
   * those (or will), and one that guards by stream version takes the parked event, replayed, for a
   * redelivery and skips it. A rebuild applies the whole history in order instead.
   */
  async overtaken(name: string): Promise<DeadLetter[]> {
    const letters = await this.deadLetters(name);
    const parked = new Set(letters.map((letter) => letter.eventId));
    const overtaken: DeadLetter[] = [];
    for (const letter of letters) {
      if (letter.streamId === null) continue;
      const stream = await this.store.readStream(letter.streamId);
      const at = stream.findIndex((event) => event.eventId === letter.eventId);
      if (at >= 0 && stream.slice(at + 1).some((event) => !parked.has(event.eventId))) overtaken.push(letter);
    }
    return overtaken;
  }

  /**
   * Applies a projection's parked events again, once their cause is fixed: those that apply leave
   * the dead letters, those that still fail stay with their new error.
   */
  replay(name: string): Promise<ReplayOutcome> {
    return replayDeadLetters(this.dataSource, this.projectionNamed(name));
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

  /** What the registered projections still have to apply, together: 0 once every read model has caught up. */
  async lag(): Promise<number> {
    const lags = await Promise.all([...this.projections.values()].map((p) => this.lagOf(p)));
    return lags.reduce((sum, lag) => sum + lag, 0);
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
    return new ProjectionRunner(this.store, this.dataSource, this.projectionNamed(name), {
      onParked: logParked,
    }).rebuild(options);
  }

  private projectionNamed(name: string): Projection {
    const projection = this.projections.get(name);
    if (!projection)
      throw new NotFound(`no projection named ${name} (there are: ${this.names().join(', ')})`);
    return projection;
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
    onParked: logParked,
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
