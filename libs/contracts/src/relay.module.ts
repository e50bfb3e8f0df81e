/**
 * The relay of a context's process (DESIGN.md §3): publishes the context's own stream categories to its
 * Kafka topic from the moment the app has bootstrapped until shutdown, picking up after a failure from
 * its checkpoint, and reports how far behind it is as observa_relay_lag_events and its state on /health.
 *
 * It heals by itself. A failure (the broker away) is retried with a growing pause, each start making
 * the topics again if the broker lost them. Every few seconds it also asks the broker whether the
 * topics still hold what it published (Relay.verifyTopics): a broker wiped while the relay had nothing
 * to publish is found then, and the relay publishes its store again from the beginning for the
 * consumers that lost it.
 */
import {
  Inject,
  Injectable,
  Logger,
  Module,
  type BeforeApplicationShutdown,
  type DynamicModule,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { Backoff, EVENT_STORE, messageOf, pause, type EventStore } from '#event-sourcing';
import { CheckpointMoved } from '#event-sourcing/projections';
import { PublishedEventsLost, Relay, type TopicRouting } from '#messaging';
import { HealthParts, Metrics, type PartHealth } from '#platform';

export type RelayHostOptions = {
  /** Names the checkpoint `relay:<name>`: one relay per name across all processes. */
  readonly name: string;
  readonly kafka: Kafka;
  readonly routing: TopicRouting;
  readonly categories: readonly string[];
  /** First and longest pause after a failure (1 s, 10 s). */
  readonly retryDelayMs?: { readonly first: number; readonly longest: number };
  /** How often the lag is counted and the topics checked (5 s). */
  readonly checkIntervalMs?: number;
};

const RELAY = Symbol('Relay');
const OPTIONS = Symbol('RelayHostOptions');

@Injectable()
export class RelayHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Relay');
  private readonly controller = new AbortController();
  private run = new AbortController();
  private running?: Promise<void>;
  private checkTimer?: NodeJS.Timeout;
  private checking = false;
  private relayState: PartHealth = { part: 'relay', status: 'degraded', reason: 'starting' };
  private brokerState: PartHealth = { part: 'broker', status: 'degraded', reason: 'not asked yet' };

  constructor(
    @Inject(RELAY) private readonly relay: Relay,
    @Inject(OPTIONS) private readonly options: RelayHostOptions,
    @Inject(Metrics) private readonly metrics: Metrics,
    @Inject(HealthParts) parts: HealthParts,
  ) {
    parts.add(() => [this.brokerState, this.relayState]);
  }

  onApplicationBootstrap(): void {
    this.running = this.keepRunning(this.controller.signal);
    this.checkTimer = setInterval(() => void this.check(), this.options.checkIntervalMs ?? 5000).unref();
    void this.check();
    this.logger.log(
      `publishing ${this.options.categories.join(', ')} to ${this.options.routing.topicsOf(this.options.categories).join(', ')}`,
    );
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.checkTimer);
    this.controller.abort();
    await this.running;
    await this.relay.close();
  }

  private async keepRunning(signal: AbortSignal): Promise<void> {
    const { first, longest } = this.options.retryDelayMs ?? { first: 1000, longest: 10_000 };
    const backoff = new Backoff({ firstMs: first, longestMs: longest, jitter: 0.2 });
    while (!signal.aborted) {
      this.run = new AbortController();
      try {
        this.relayState = { part: 'relay', status: 'ok' };
        await this.relay.start(AbortSignal.any([signal, this.run.signal]));
        backoff.reset(); // the check stopped the run: the topics lost events
      } catch (error) {
        if (signal.aborted) return;
        if (error instanceof PublishedEventsLost || error instanceof CheckpointMoved) {
          this.logger.warn(`relay ${this.options.name}: ${error.message}`);
          backoff.reset();
          continue;
        }
        this.relayState = {
          part: 'relay',
          status: 'degraded',
          reason: `publishing failed, trying again: ${messageOf(error)}`,
        };
        const delayMs = backoff.next();
        this.logger.warn(
          `relay ${this.options.name} failed; resuming from its checkpoint in ${delayMs} ms: ${messageOf(error)}`,
        );
        await this.relay.close().catch(() => undefined);
        await pause(delayMs, signal);
      }
    }
  }

  /** The broker answers and still holds what was published; and how far behind the relay is. */
  private async check(): Promise<void> {
    // An unreachable broker can keep one check waiting longer than the interval: no pile-up.
    if (this.checking) return;
    this.checking = true;
    try {
      await this.checkBrokerAndLag();
    } finally {
      this.checking = false;
    }
  }

  private async checkBrokerAndLag(): Promise<void> {
    try {
      await this.relay.verifyTopics();
      this.brokerState = { part: 'broker', status: 'ok' };
    } catch (error) {
      if (error instanceof PublishedEventsLost) {
        this.brokerState = { part: 'broker', status: 'ok' };
        this.run.abort(); // keepRunning starts again from the forgotten checkpoint
      } else {
        this.brokerState = {
          part: 'broker',
          status: 'degraded',
          reason: `the Kafka broker does not answer: ${messageOf(error)}`,
        };
      }
    }
    try {
      this.metrics.setRelayLag(await this.relay.lag());
    } catch {
      // The next tick tries again; a failing store shows in /health.
    }
  }
}

@Module({})
export class RelayModule {
  static forRoot(options: RelayHostOptions): DynamicModule {
    return {
      module: RelayModule,
      providers: [
        { provide: OPTIONS, useValue: options },
        {
          provide: RELAY,
          inject: [EVENT_STORE, getDataSourceToken()],
          useFactory: (store: EventStore, dataSource: DataSource) =>
            new Relay({ ...options, store, dataSource }),
        },
        RelayHost,
      ],
    };
  }
}
