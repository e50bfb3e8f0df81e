/** The event store port: what every adapter (Postgres server, PGlite, EventStoreDB) provides. */
import type { GlobalPosition, NewEvent, RecordedEvent } from './envelope.js';

/** Same meaning as EventStoreDB's: a number is the revision of the stream's last event (0-based). */
export type ExpectedVersion = 'no_stream' | 'stream_exists' | 'any' | bigint;

export type AppendResult = {
  readonly streamId: string;
  /** Revision of the stream's last event after the append. */
  readonly nextExpectedVersion: bigint;
  readonly events: readonly { eventId: string; streamVersion: bigint; globalPosition: GlobalPosition }[];
  /** false when every event id was already in the stream: an idempotent re-append wrote nothing. */
  readonly appended: boolean;
};

export type ReadStreamOptions = {
  readonly direction?: 'forwards' | 'backwards';
  /** Inclusive revision to start at; defaults to the first (forwards) or last (backwards). */
  readonly fromVersion?: bigint;
  readonly maxCount?: number;
};

export type ReadAllOptions = {
  /** Exclusive: events after this position. */
  readonly after?: GlobalPosition;
  readonly maxCount?: number;
  /** Only streams of these categories (`observer` for `observer-<id>`). */
  readonly categories?: readonly string[];
};

export type CountOptions = {
  /** Exclusive; the beginning of $all when absent. */
  readonly after?: GlobalPosition | null;
  /** Inclusive; the head when absent. */
  readonly upTo?: GlobalPosition;
  readonly categories?: readonly string[];
  /** Stop counting here: a lag of "at least this many" is enough for a metric. */
  readonly atMost?: number;
};

export type SubscribeOptions = ReadAllOptions & { readonly signal?: AbortSignal };

export interface EventStore {
  appendToStream(
    streamId: string,
    events: readonly NewEvent[],
    expected: ExpectedVersion,
  ): Promise<AppendResult>;
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /** Events in $all order. Never returns an event while one before it may still commit. */
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  /** Follows $all from `after`, forever (until the signal aborts). */
  subscribeToAll(options?: SubscribeOptions): AsyncIterable<RecordedEvent>;
  /** How many events a reader of $all would read between two positions: progress and lag. */
  countEvents(options?: CountOptions): Promise<number>;
  /** Where $all ends now: the position of the last event a reader can see. */
  headPosition(): Promise<GlobalPosition>;
  close(): Promise<void>;
}

export const EVENT_STORE = Symbol('EventStore');

export const expectedToString = (expected: ExpectedVersion): string =>
  typeof expected === 'bigint' ? expected.toString() : expected;
