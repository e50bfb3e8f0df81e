/**
 * How events reach projections, whatever the run mode (DESIGN.md §4): Kafka with an inbox when
 * distributed, straight from the store with checkpoints when standalone. Hosts bind one at start-up.
 */
import type { Projection } from '#event-sourcing/projections';

export interface Running {
  /** Stops feeding the projection; resolves when the event being applied, if any, is done. */
  stop(): Promise<void>;
}

/** How a transport's feed of one projection is doing, for /health (platform's PartHealth). */
export type FeedState = {
  readonly part: string;
  readonly status: 'ok' | 'degraded';
  readonly reason?: string;
};

export interface EventTransport {
  /** Resolves once the projection is being fed; events before and after this moment reach it. */
  start(projection: Projection): Promise<Running>;
  /**
   * How many events the projection has still to apply, where the transport knows it better than the
   * projection's checkpoint in the store (a Kafka consumer has no such checkpoint). Undefined: ask
   * the checkpoint.
   */
  lagOf?(projection: Projection): Promise<number | undefined>;
  /** Its feeds' states, when one can fail apart from the store (a broker). */
  states?(): FeedState[];
}

export const EVENT_TRANSPORT = Symbol('EventTransport');
