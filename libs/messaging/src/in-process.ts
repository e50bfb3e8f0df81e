/**
 * The standalone transport (DESIGN.md §4): feeds projections straight from the store through the
 * projection runner, with checkpoints where Kafka consumers use an inbox. A projection that throws
 * is reported and retried from its checkpoint after a pause, as a Kafka consumer would redeliver.
 */
import type { DataSource } from 'typeorm';
import { Backoff, type EventStore } from '#event-sourcing';
import { ProjectionRunner, type Projection, type ProjectionRunnerOptions } from '#event-sourcing/projections';
import type { EventTransport, Running } from './event-transport.js';

export type InProcessTransportOptions = ProjectionRunnerOptions & {
  readonly retryDelayMs?: number;
  readonly onError?: (error: unknown, projection: Projection) => void;
};

export class InProcessTransport implements EventTransport {
  constructor(
    private readonly store: EventStore,
    private readonly dataSource: DataSource,
    private readonly options: InProcessTransportOptions = {},
  ) {}

  async start(projection: Projection): Promise<Running> {
    const runner = new ProjectionRunner(this.store, this.dataSource, projection, this.options);
    const controller = new AbortController();
    const running = this.keepRunning(runner, projection, controller.signal);
    return {
      async stop() {
        controller.abort();
        await running;
      },
    };
  }

  private async keepRunning(
    runner: ProjectionRunner,
    projection: Projection,
    signal: AbortSignal,
  ): Promise<void> {
    const onError =
      this.options.onError ??
      ((error: unknown) =>
        console.error(`projection ${projection.name} failed; retrying from its checkpoint`, error));
    // The same wait each time: nothing outside the process is being waited for.
    const delayMs = this.options.retryDelayMs ?? 1000;
    const backoff = new Backoff({ firstMs: delayMs, longestMs: delayMs });
    while (!signal.aborted) {
      try {
        await runner.start(signal);
      } catch (error) {
        if (signal.aborted) return;
        onError(error, projection);
        await backoff.wait(signal);
      }
    }
  }
}
