/** Prometheus metrics at GET /metrics: the process's own, appends to the store, and how far readers lag. */
import { Controller, Get, Global, Header, Module } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { HealthParts } from './health-parts.js';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { ApiProblems } from './api-problems.js';
import { ApiPublic } from './openapi.js';
import {
  VersionConflict,
  type AppendResult,
  type CountOptions,
  type EventStore,
  type ExpectedVersion,
  type GlobalPosition,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeOptions,
} from '#event-sourcing';

export type AppendOutcome = 'appended' | 'unchanged' | 'conflict' | 'failed';

/** One registry per application, so that two apps in one process (tests) keep apart. */
export class Metrics {
  readonly registry = new Registry();
  readonly eventsAppended = new Counter({
    name: 'observa_events_appended_total',
    help: 'Events written to the event store (an idempotent re-append writes none).',
    registers: [this.registry],
  });
  readonly appendDuration = new Histogram<'outcome'>({
    name: 'observa_append_duration_seconds',
    help: 'Time of one appendToStream call, by outcome: appended, unchanged (idempotent re-append), conflict, failed.',
    labelNames: ['outcome'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  /** Registered by the first relay that reports: a process without a relay exports no relay lag. */
  private relayLag?: Gauge;
  readonly projectionLag = new Gauge<'projection'>({
    name: 'observa_projection_lag_events',
    help: 'Events a projection has still to apply.',
    labelNames: ['projection'],
    registers: [this.registry],
  });

  readonly parkedEvents = new Gauge<'projection'>({
    name: 'observa_projection_parked_events',
    help: 'Events a projection could not apply and parked (dead letters); they wait for `npm run dead-letters -- replay`.',
    labelNames: ['projection'],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  setRelayLag(events: number): void {
    this.relayLag ??= new Gauge({
      name: 'observa_relay_lag_events',
      help: 'Events in the store that the relay has not yet published.',
      registers: [this.registry],
    });
    this.relayLag.set(events);
  }

  setProjectionLag(projection: string, events: number): void {
    this.projectionLag.set({ projection }, events);
  }

  setParkedEvents(projection: string, events: number): void {
    this.parkedEvents.set({ projection }, events);
  }

  private readonly refreshers: (() => Promise<void>)[] = [];

  /** Runs before each scrape: for values that are cheaper to measure when asked than to keep current. */
  refreshOnScrape(refresh: () => Promise<void>): void {
    this.refreshers.push(refresh);
  }

  /** The text exposition format. A refresher that fails leaves its gauge as it was. */
  async render(): Promise<string> {
    await Promise.allSettled(this.refreshers.map((refresh) => refresh()));
    return this.registry.metrics();
  }
}

/** The store, with every append timed and counted. Reads pass straight through. */
class InstrumentedEventStore implements EventStore {
  constructor(
    private readonly store: EventStore,
    private readonly metrics: Metrics,
  ) {}

  async appendToStream(
    streamId: string,
    events: readonly NewEvent[],
    expected: ExpectedVersion,
  ): Promise<AppendResult> {
    const stop = this.metrics.appendDuration.startTimer();
    let outcome: AppendOutcome = 'failed';
    try {
      const result = await this.store.appendToStream(streamId, events, expected);
      outcome = result.appended ? 'appended' : 'unchanged';
      if (result.appended) this.metrics.eventsAppended.inc(result.events.length);
      return result;
    } catch (error) {
      if (error instanceof VersionConflict) outcome = 'conflict';
      throw error;
    } finally {
      stop({ outcome });
    }
  }

  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    return this.store.readStream(streamId, options);
  }

  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]> {
    return this.store.readAll(options);
  }

  subscribeToAll(options?: SubscribeOptions): AsyncIterable<RecordedEvent> {
    return this.store.subscribeToAll(options);
  }

  countEvents(options?: CountOptions): Promise<number> {
    return this.store.countEvents(options);
  }

  headPosition(): Promise<GlobalPosition> {
    return this.store.headPosition();
  }

  close(): Promise<void> {
    return this.store.close();
  }
}

export const instrumentStore = (store: EventStore, metrics: Metrics): EventStore =>
  new InstrumentedEventStore(store, metrics);

@ApiTags('operations')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: Metrics) {}

  @Get()
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  @ApiProduces(Registry.PROMETHEUS_CONTENT_TYPE)
  @ApiPublic()
  @ApiOperation({ summary: 'Prometheus metrics of this process (appends, relays, projections, logins)' })
  @ApiProblems(400, 413)
  @ApiOkResponse({ description: 'Prometheus text exposition format', schema: { type: 'string' } })
  render(): Promise<string> {
    return this.metrics.render();
  }
}

/** `Metrics` and `HealthParts` are injectable everywhere, for whoever has a lag or a state to report. */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [{ provide: Metrics, useFactory: () => new Metrics() }, HealthParts],
  exports: [Metrics, HealthParts],
})
export class MetricsModule {}
