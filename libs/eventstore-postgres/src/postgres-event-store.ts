/** The event store on Postgres (server or PGlite behind one connection): see schema.ts for the ordering. */
import type pg from 'pg';
import {
  AppendSignal,
  categoryOf,
  followAll,
  IdempotencyMismatch,
  prepareForStore,
  retry,
  START,
  VersionConflict,
  expectedToString,
  type AppendResult,
  type CountOptions,
  type EventStore,
  type ExpectedVersion,
  type GlobalPosition,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type StorableEvent,
  type SubscribeOptions,
} from '#event-sourcing';
import { runQuery } from './database.js';

type EventRow = {
  global_position: string;
  transaction_id: string;
  event_id: string;
  stream_id: string;
  stream_version: string;
  type: string;
  schema_version: number;
  data: RecordedEvent['data'];
  metadata: Omit<RecordedEvent['metadata'], 'hash' | 'previousHash'>;
  hash: string;
  previous_hash: string | null;
};

const COLUMNS =
  'global_position, transaction_id, event_id, stream_id, stream_version, type, schema_version, data, metadata, hash, previous_hash';

const toRecorded = (row: EventRow): RecordedEvent => ({
  eventId: row.event_id,
  type: row.type,
  schemaVersion: row.schema_version,
  streamId: row.stream_id,
  streamVersion: BigInt(row.stream_version),
  globalPosition: { commit: BigInt(row.transaction_id), prepare: BigInt(row.global_position) },
  data: row.data,
  metadata: { ...row.metadata, hash: row.hash, previousHash: row.previous_hash },
});

type AppendedRow = {
  event_id: string;
  stream_version: string;
  transaction_id: string;
  global_position: string;
};

const toAppendResult = (streamId: string, rows: AppendedRow[], appended: boolean): AppendResult => ({
  streamId,
  nextExpectedVersion: BigInt(rows[rows.length - 1].stream_version),
  events: rows.map((r) => ({
    eventId: r.event_id,
    streamVersion: BigInt(r.stream_version),
    globalPosition: { commit: BigInt(r.transaction_id), prepare: BigInt(r.global_position) },
  })),
  appended,
});

/** One event at an exact version, chained to the stream's head, in one statement; no row when the head moved. */
const APPEND_ONE = `
INSERT INTO observa_events (event_id, stream_id, stream_version, category, type, schema_version, data, metadata, hash, previous_hash)
SELECT $1::uuid, $2::text, $3::bigint, $4::text, $5::text, $6::int, $7::jsonb, $8::jsonb,
       encode(sha256(convert_to(coalesce(head.hash, '') || ':' || $3::bigint || ':' || $9::text, 'UTF8')), 'hex'), head.hash
  FROM (SELECT 1) AS one
  LEFT JOIN LATERAL (SELECT e.stream_version, e.hash FROM observa_events e WHERE e.stream_id = $2::text
                      ORDER BY e.stream_version DESC LIMIT 1) AS head ON true
 WHERE coalesce(head.stream_version, -1) = $3::bigint - 1
RETURNING event_id, stream_version, transaction_id, global_position`;

const UNIQUE_VIOLATION = '23505';
const MAX_RACE_RETRIES = 10;

/** Lost a race another try settles (the stream moved under an `any` append, or the same events won). */
class AppendRaced extends Error {
  constructor(readonly original: unknown) {
    super('the append raced another writer');
  }
}

export type PostgresEventStoreOptions = {
  /** How long a follower sleeps when it has caught up and hears of no append in this process. */
  readonly pollIntervalMs?: number;
};

export class PostgresEventStore implements EventStore {
  private readonly appended = new AppendSignal();
  private readonly pollIntervalMs: number;

  constructor(
    private readonly pool: pg.Pool,
    options: PostgresEventStoreOptions = {},
  ) {
    this.pollIntervalMs = options.pollIntervalMs ?? 200;
  }

  async appendToStream(
    streamId: string,
    events: readonly NewEvent[],
    expected: ExpectedVersion,
  ): Promise<AppendResult> {
    const prepared = prepareForStore(streamId, events);
    // The command handler's usual write, one event at a known version, goes in one plain INSERT;
    // anything it cannot settle (a conflict, a re-append) is answered exactly by observa_append.
    if (prepared.length === 1 && expected !== 'any' && expected !== 'stream_exists') {
      const appended = await this.appendOne(
        streamId,
        prepared[0],
        expected === 'no_stream' ? 0n : expected + 1n,
      );
      if (appended) return appended;
    }
    return this.appendThroughFunction(streamId, prepared, expected);
  }

  private async appendOne(
    streamId: string,
    event: StorableEvent,
    version: bigint,
  ): Promise<AppendResult | null> {
    try {
      const { rows } = await runQuery<AppendedRow>(this.pool, {
        name: 'observa_append_one',
        text: APPEND_ONE,
        values: [
          event.eventId,
          streamId,
          version.toString(),
          categoryOf(streamId),
          event.type,
          event.schemaVersion,
          event.dataJson,
          event.metadataJson,
          event.contentHash,
        ],
      });
      if (rows.length === 0) return null;
      this.appended.notify();
      return toAppendResult(streamId, rows, true);
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) return null;
      throw error;
    }
  }

  private async appendThroughFunction(
    streamId: string,
    events: readonly StorableEvent[],
    expected: ExpectedVersion,
  ): Promise<AppendResult> {
    const payload = `[${events
      .map(
        (e) =>
          `{"eventId":"${e.eventId}","type":${JSON.stringify(e.type)},"schemaVersion":${e.schemaVersion},` +
          `"data":${e.dataJson},"metadata":${e.metadataJson},"contentHash":"${e.contentHash}"}`,
      )
      .join(',')}]`;
    const [kind, version] =
      typeof expected === 'bigint' ? ['version', expected.toString()] : [expected, null];
    const appendOnce = async (): Promise<AppendResult> => {
      try {
        const { rows } = await runQuery<AppendedRow & { appended: boolean }>(this.pool, {
          name: 'observa_append',
          text: 'SELECT * FROM observa_append($1, $2, $3, $4, $5::jsonb)',
          values: [streamId, categoryOf(streamId), kind, version, payload],
        });
        const appended = rows[0].appended;
        if (appended) this.appended.notify();
        return toAppendResult(streamId, rows, appended);
      } catch (error) {
        const e = error as { code?: string; detail?: string; message?: string };
        if (e.code === 'OB409')
          throw new VersionConflict(
            streamId,
            expectedToString(expected),
            e.detail === 'no_stream' ? 'no_stream' : BigInt(e.detail ?? -1),
          );
        if (e.code === 'OB422') throw new IdempotencyMismatch(e.message ?? 'partial re-append');
        // Another writer committed to this stream between our read of its head and our insert.
        if (e.code === UNIQUE_VIOLATION) {
          if (kind === 'any' || kind === 'stream_exists' || this.isSameEventsRace(error))
            throw new AppendRaced(error);
          const head = await this.streamHead(streamId);
          throw new VersionConflict(streamId, expectedToString(expected), head ?? 'no_stream');
        }
        throw error;
      }
    };
    try {
      return await retry(appendOnce, {
        attempts: MAX_RACE_RETRIES,
        retryOn: (error) => error instanceof AppendRaced,
      });
    } catch (error) {
      throw error instanceof AppendRaced ? error.original : error;
    }
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const backwards = options.direction === 'backwards';
    const from = options.fromVersion ?? (backwards ? BigInt(Number.MAX_SAFE_INTEGER) : 0n);
    const { rows } = await runQuery<EventRow>(this.pool, {
      name: backwards ? 'observa_read_stream_backwards' : 'observa_read_stream',
      text: `SELECT ${COLUMNS} FROM observa_events WHERE stream_id = $1 AND stream_version ${backwards ? '<=' : '>='} $2
             ORDER BY stream_version ${backwards ? 'DESC' : 'ASC'} LIMIT $3`,
      values: [streamId, from.toString(), options.maxCount ?? null],
    });
    return rows.map(toRecorded);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const after = options.after ?? START;
    const categories = options.categories && options.categories.length > 0 ? [...options.categories] : null;
    const { rows } = await runQuery<EventRow>(this.pool, {
      name: categories ? 'observa_read_all_categories' : 'observa_read_all',
      text: `SELECT ${COLUMNS} FROM observa_events
              WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)
                AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
                ${categories ? 'AND category = ANY($4::text[])' : ''}
              ORDER BY transaction_id, global_position LIMIT $3`,
      values: [
        after.commit.toString(),
        after.prepare.toString(),
        options.maxCount ?? 1000,
        ...(categories ? [categories] : []),
      ],
    });
    return rows.map(toRecorded);
  }

  subscribeToAll(options: SubscribeOptions = {}): AsyncIterable<RecordedEvent> {
    return followAll((page) => this.readAll(page), this.appended, {
      ...options,
      idleMs: this.pollIntervalMs,
    });
  }

  async countEvents(options: CountOptions = {}): Promise<number> {
    const after = options.after ?? START;
    const upTo = options.upTo ?? null;
    const categories = options.categories && options.categories.length > 0 ? [...options.categories] : null;
    const { rows } = await runQuery<{ n: number }>(this.pool, {
      text: `SELECT count(*)::int AS n FROM (
               SELECT 1 FROM observa_events
                WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)
                  AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
                  AND ($3::xid8 IS NULL OR (transaction_id, global_position) <= ($3::xid8, $4::bigint))
                  AND ($5::text[] IS NULL OR category = ANY($5::text[]))
                LIMIT $6) counted`,
      values: [
        after.commit.toString(),
        after.prepare.toString(),
        upTo?.commit.toString() ?? null,
        upTo?.prepare.toString() ?? null,
        categories,
        options.atMost ?? null,
      ],
    });
    return rows[0].n;
  }

  async headPosition(): Promise<GlobalPosition> {
    const { rows } = await runQuery<{ transaction_id: string; global_position: string }>(this.pool, {
      name: 'observa_head',
      text: `SELECT transaction_id, global_position FROM observa_events
        WHERE transaction_id < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY transaction_id DESC, global_position DESC LIMIT 1`,
    });
    return rows.length === 0
      ? START
      : { commit: BigInt(rows[0].transaction_id), prepare: BigInt(rows[0].global_position) };
  }

  /** The pool belongs to whoever made it; closing the store only stops its followers' wake-ups. */
  async close(): Promise<void> {
    this.appended.notify();
  }

  private isSameEventsRace(error: unknown): boolean {
    return (error as { constraint?: string }).constraint === 'observa_events_stream_event';
  }

  private async streamHead(streamId: string): Promise<bigint | null> {
    const { rows } = await runQuery<{ v: string | null }>(this.pool, {
      text: 'SELECT max(stream_version) AS v FROM observa_events WHERE stream_id = $1',
      values: [streamId],
    });
    return rows[0].v === null ? null : BigInt(rows[0].v);
  }
}
