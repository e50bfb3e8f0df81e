/**
 * How events reach projections, whatever the run mode (DESIGN.md §4): Kafka with an inbox when
 * distributed, straight from the store with checkpoints when standalone. Hosts bind one at start-up.
 */
import type { Projection } from '#event-sourcing/projections';

export interface Running {
  /** Stops feeding the projection; resolves when the event being applied, if any, is done. */
  stop(): Promise<void>;
}

export interface EventTransport {
  /** Resolves once the projection is being fed; events before and after this moment reach it. */
  start(projection: Projection): Promise<Running>;
}

export const EVENT_TRANSPORT = Symbol('EventTransport');
