/**
 * The event store on EventStoreDB / KurrentDB. It uses @kurrent/kurrentdb-client, the maintained successor
 * of @eventstore/db-client for the same server (EventStoreDB was renamed KurrentDB; `esdb://` still connects).
 *
 * EventStoreDB keeps streams, revisions and $all positions itself; what it does not know is our hash chain.
 * So every append reads the stream's recent events, computes the chain for the batch and appends pinned to
 * the head it read: a writer that slipped in between makes the server refuse, and we read again.
 */
import {
  ErrorType,
  KurrentDBClient,
  NO_STREAM,
  START as FROM_START,
  END,
  WrongExpectedVersionError,
  jsonEvent,
  streamNameFilter,
  type AppendStreamState,
  type EventData,
  type Filter,
  type RecordedEvent as StoredEvent,
  type AllStreamResolvedEvent,
} from '@kurrent/kurrentdb-client';
import {
  chainHash,
  comparePositions,
  expectedToString,
  IdempotencyMismatch,
  prepareForStore,
  START,
  VersionConflict,
  type AppendResult,
  type CountOptions,
  countByReading,
  type EventContext,
  type EventStore,
  type ExpectedVersion,
  type GlobalPosition,
  type JsonObject,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type StorableEvent,
  type SubscribeOptions,
} from '#event-sourcing';

/** What a stream ends with, as far as the chain is concerned; null when the stream does not exist. */
export type StreamHead = { readonly revision: bigint; readonly hash: string } | null;

/** Our metadata as EventStoreDB stores it: the writer's context plus what the envelope keeps outside it. */
type StoredMetadata = EventContext & { schemaVersion: number; hash: string; previousHash: string | null };

/** An event of this append with its place in the chain. */
type ChainedEvent = {
  readonly event: NewEvent;
  readonly eventId: string;
  readonly streamVersion: bigint;
  readonly hash: string;
  readonly previousHash: string | null;
};

const MAX_RACE_RETRIES = 10;
const DEFAULT_PAGE = 1000;

export type EventStoreDbEventStoreOptions = {
  /**
   * How many of a stream's last events an append looks through for its own event ids. EventStoreDB has no
   * index by event id, so a retried append older than this many events would be written again.
   */
  readonly idempotencyWindow?: number;
};

/** The caller's expectation, checked against the head we read (the server then enforces that head). */
export const assertExpected = (streamId: string, expected: ExpectedVersion, head: StreamHead): void => {
  const actual = head ? head.revision : 'no_stream';
  const met =
    expected === 'any' ||
    (expected === 'no_stream' && head === null) ||
    (expected === 'stream_exists' && head !== null) ||
    (typeof expected === 'bigint' && head?.revision === expected);
  if (!met) throw new VersionConflict(streamId, expectedToString(expected), actual);
};

/** The state the server must find the stream in for our chain to be right. */
export const streamStateAt = (head: StreamHead): AppendStreamState => (head ? head.revision : NO_STREAM);

/** Chains events already validated and hashed by prepareForStore onto the stream's head. */
export const chainBatch = (events: readonly StorableEvent[], head: StreamHead): ChainedEvent[] => {
  let previousHash = head?.hash ?? null;
  let streamVersion = head ? head.revision : -1n;
  return events.map((event) => {
    const eventId = event.eventId;
    streamVersion += 1n;
    const hash = chainHash(previousHash, streamVersion, event.contentHash);
    const chained = { event, eventId, streamVersion, hash, previousHash };
    previousHash = hash;
    return chained;
  });
};

export const toEventData = ({ event, eventId, hash, previousHash }: ChainedEvent): EventData => {
  const metadata: StoredMetadata = {
    ...event.metadata,
    schemaVersion: event.schemaVersion,
    hash,
    previousHash,
  };
  return jsonEvent({ id: eventId, type: event.type, data: event.data, metadata });
};

/** Back into our envelope: metadata is again exactly what the writer said plus hash and previousHash. */
export const toRecorded = (stored: StoredEvent): RecordedEvent => {
  const metadata = stored.metadata as Partial<StoredMetadata> | undefined;
  if (!stored.isJson || typeof metadata?.hash !== 'string' || typeof metadata.schemaVersion !== 'number')
    throw new Error(`event ${stored.id} in ${stored.streamId} was not written by Observa`);
  if (!stored.position)
    throw new Error(
      `the server gave no position for event ${stored.id}: KurrentDB/EventStoreDB 22.6 or later is needed`,
    );
  const { schemaVersion, hash, previousHash, ...context } = metadata as StoredMetadata;
  return {
    eventId: stored.id,
    type: stored.type,
    schemaVersion,
    streamId: stored.streamId,
    streamVersion: stored.revision,
    globalPosition: { commit: stored.position.commit, prepare: stored.position.prepare },
    data: stored.data as JsonObject,
    metadata: { ...context, hash, previousHash: previousHash ?? null },
  };
};

/** Only Observa's streams: those of the given categories, or every stream that is not a system (`$`) one. */
export const observaStreams = (categories?: readonly string[]): Filter =>
  categories && categories.length > 0
    ? streamNameFilter({ prefixes: categories.map((category) => `${category}-`) })
    : streamNameFilter({ regex: '^[^$]' });

const isSystem = (stored: StoredEvent): boolean =>
  stored.streamId.startsWith('$') || stored.type.startsWith('$');

/** Our event from one read out of $all, or null for what is not ours or is not after `after`. */
const fromAll = (
  resolved: AllStreamResolvedEvent,
  after: GlobalPosition | undefined,
): RecordedEvent | null => {
  if (!resolved.event || isSystem(resolved.event)) return null;
  const event = toRecorded(resolved.event);
  return after && comparePositions(event.globalPosition, after) <= 0 ? null : event;
};

const isStreamNotFound = (error: unknown): boolean =>
  (error as { type?: unknown } | null)?.type === ErrorType.STREAM_NOT_FOUND;

export class EventStoreDbEventStore implements EventStore {
  private readonly idempotencyWindow: number;

  constructor(
    private readonly client: KurrentDBClient,
    options: EventStoreDbEventStoreOptions = {},
  ) {
    this.idempotencyWindow = options.idempotencyWindow ?? 64;
  }

  async appendToStream(
    streamId: string,
    events: readonly NewEvent[],
    expected: ExpectedVersion,
  ): Promise<AppendResult> {
    // Validated, serialized and hashed once, however many times a lost race makes us chain again.
    const prepared = prepareForStore(streamId, events);
    let actual: bigint | 'no_stream' = 'no_stream';
    for (let attempt = 1; attempt <= MAX_RACE_RETRIES; attempt++) {
      const recent = await this.readStream(streamId, {
        direction: 'backwards',
        maxCount: this.idempotencyWindow + events.length,
      });
      const replayed = this.replayOf(streamId, events, recent);
      if (replayed) return replayed;
      const head: StreamHead =
        recent.length > 0 ? { revision: recent[0].streamVersion, hash: recent[0].metadata.hash } : null;
      // A race lost with an exact expectation also ends here: the head we read again no longer matches.
      assertExpected(streamId, expected, head);
      const chained = chainBatch(prepared, head);
      try {
        const result = await this.client.appendToStream(streamId, chained.map(toEventData), {
          streamState: streamStateAt(head),
        });
        // Only with throwOnAppendFailure=false in the connection string does the client report instead of throw.
        if (!result.success) {
          actual = result.nextExpectedRevision < 0n ? 'no_stream' : result.nextExpectedRevision;
          continue;
        }
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError)) throw error;
        actual = error.actualState;
        continue;
      }
      // The append reply has one position for the whole batch; each event's own comes from reading it back.
      const written = await this.readStream(streamId, {
        fromVersion: chained[0].streamVersion,
        maxCount: chained.length,
      });
      return {
        streamId,
        nextExpectedVersion: chained[chained.length - 1].streamVersion,
        events: written.map((e) => ({
          eventId: e.eventId,
          streamVersion: e.streamVersion,
          globalPosition: e.globalPosition,
        })),
        appended: true,
      };
    }
    throw new VersionConflict(streamId, expectedToString(expected), actual);
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    if (options.maxCount === 0) return [];
    const backwards = options.direction === 'backwards';
    try {
      const read = this.client.readStream(streamId, {
        direction: backwards ? 'backwards' : 'forwards',
        fromRevision: options.fromVersion ?? (backwards ? END : FROM_START),
        maxCount: options.maxCount,
      });
      const events: RecordedEvent[] = [];
      for await (const resolved of read) if (resolved.event) events.push(toRecorded(resolved.event));
      return events;
    } catch (error) {
      if (isStreamNotFound(error)) return [];
      throw error;
    }
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const maxCount = options.maxCount ?? DEFAULT_PAGE;
    if (maxCount === 0) return [];
    // fromPosition is inclusive and ours is exclusive: read one more, since the first may be `after` itself.
    const read = this.client.readAll({
      fromPosition: options.after ?? FROM_START,
      maxCount: options.after ? maxCount + 1 : maxCount,
      filter: observaStreams(options.categories),
    });
    const events: RecordedEvent[] = [];
    for await (const resolved of read) {
      const event = fromAll(resolved, options.after);
      if (event) events.push(event);
    }
    return events.slice(0, maxCount);
  }

  subscribeToAll(options: SubscribeOptions = {}): AsyncIterable<RecordedEvent> {
    return this.follow(options);
  }

  /** The server cannot count a filtered $all: read it (fine for progress and lag, not for huge stores). */
  countEvents(options?: CountOptions): Promise<number> {
    return countByReading(this, options);
  }

  async headPosition(): Promise<GlobalPosition> {
    const last = this.client.readAll({ direction: 'backwards', fromPosition: END, maxCount: 1 });
    for await (const resolved of last) if (resolved.event?.position) return resolved.event.position;
    return START;
  }

  /** The store owns its client: closing it ends the client's streams, subscriptions included. */
  async close(): Promise<void> {
    await this.client.dispose();
  }

  /** The stored events of a batch sent again, or null when none of its ids is among the stream's last events. */
  private replayOf(
    streamId: string,
    events: readonly NewEvent[],
    recent: readonly RecordedEvent[],
  ): AppendResult | null {
    const stored = new Map(recent.map((e) => [e.eventId.toLowerCase(), e]));
    const found = events.map((e) => stored.get(e.eventId.toLowerCase()));
    if (found.every((e) => e === undefined)) return null;
    const existing = found.filter((e): e is RecordedEvent => e !== undefined);
    if (existing.length < events.length)
      throw new IdempotencyMismatch(
        `${existing.length} of the ${events.length} events are already in ${streamId}`,
      );
    return {
      streamId,
      nextExpectedVersion: existing[existing.length - 1].streamVersion,
      events: existing.map((e) => ({
        eventId: e.eventId,
        streamVersion: e.streamVersion,
        globalPosition: e.globalPosition,
      })),
      appended: false,
    };
  }

  private async *follow({ after, categories, signal }: SubscribeOptions): AsyncGenerator<RecordedEvent> {
    if (signal?.aborted) return;
    const subscription = this.client.subscribeToAll({
      fromPosition: after ?? FROM_START,
      filter: observaStreams(categories),
    });
    // Cancelling the call ends the subscription's stream, which ends the loop below. A subscription that
    // never connected has nothing to cancel, and its own error already reached the loop.
    const stop = () => subscription.unsubscribe().catch(() => undefined);
    signal?.addEventListener('abort', stop, { once: true });
    try {
      for await (const resolved of subscription) {
        if (signal?.aborted) return;
        const event = fromAll(resolved, after);
        if (event) yield event;
      }
    } catch (error) {
      if (!signal?.aborted) throw error;
    } finally {
      signal?.removeEventListener('abort', stop);
      await stop();
    }
  }
}

export const connectEventStoreDb = (
  connectionString: string,
  options?: EventStoreDbEventStoreOptions,
): EventStoreDbEventStore =>
  new EventStoreDbEventStore(KurrentDBClient.connectionString(connectionString), options);
