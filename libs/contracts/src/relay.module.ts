/**
 * The relay of a context's process (DESIGN.md §3): publishes the context's own stream categories to its
 * Kafka topic from the moment the app has bootstrapped until shutdown, picking up after a failure from
 * its checkpoint, and reports how far behind it is as observa_relay_lag_events.
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
import { EVENT_STORE, type EventStore } from '#event-sourcing';
import { Relay, type TopicRouting } from '#messaging';
import { Metrics } from '#platform';

export type RelayHostOptions = {
  /** Names the checkpoint `relay:<name>`: one relay per name across all processes. */
  readonly name: string;
  readonly kafka: Kafka;
  readonly routing: TopicRouting;
  readonly categories: readonly string[];
  readonly retryDelayMs?: number;
  readonly lagIntervalMs?: number;
};

const RELAY = Symbol('Relay');
const OPTIONS = Symbol('RelayHostOptions');

const pause = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

@Injectable()
export class RelayHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Relay');
  private readonly controller = new AbortController();
  private running?: Promise<void>;
  private lagTimer?: NodeJS.Timeout;

  constructor(
    @Inject(RELAY) private readonly relay: Relay,
    @Inject(OPTIONS) private readonly options: RelayHostOptions,
    @Inject(Metrics) private readonly metrics: Metrics,
  ) {}

  onApplicationBootstrap(): void {
    this.running = this.keepRunning(this.controller.signal);
    this.lagTimer = setInterval(() => void this.reportLag(), this.options.lagIntervalMs ?? 5000).unref();
    this.logger.log(
      `publishing ${this.options.categories.join(', ')} to ${this.options.routing.topicsOf(this.options.categories).join(', ')}`,
    );
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.lagTimer);
    this.controller.abort();
    await this.running;
    await this.relay.close();
  }

  private async keepRunning(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.relay.start(signal);
      } catch (error) {
        if (signal.aborted) return;
        this.logger.error(
          `relay ${this.options.name} failed; resuming from its checkpoint: ${String(error)}`,
        );
        await pause(this.options.retryDelayMs ?? 1000, signal);
      }
    }
  }

  private async reportLag(): Promise<void> {
    try {
      this.metrics.setRelayLag(await this.relay.lag());
    } catch {
      // The next tick tries again; a failing store shows in /health and in the relay's own errors.
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
