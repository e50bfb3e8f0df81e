/** A read model kept up to date from events: what the projection runner, the Kafka consumer and the in-process transport feed. */
import type { EntityManager, EntitySchema } from 'typeorm';
import type { RecordedEvent } from '../envelope.js';

/** A TypeORM entity class or schema the read model keeps its rows in. */
export type ReadModelEntity = (abstract new (...args: never[]) => object) | EntitySchema;

export interface Projection {
  /** Unique and stable: it names the checkpoint, the inbox rows and the consumer group. */
  readonly name: string;
  /** Stream categories it reads (`observer` for `observer-<id>`). */
  readonly categories: readonly string[];
  readonly entities?: readonly ReadModelEntity[];
  /**
   * Applies one event inside the caller's transaction. Use only `tx`: on the embedded database
   * the process has one connection, and any other query would wait for this transaction forever.
   */
  apply(event: RecordedEvent, tx: EntityManager): Promise<void>;
  /** Empties the read model before a rebuild (same rule: only `tx`). */
  reset(tx: EntityManager): Promise<void>;
}
