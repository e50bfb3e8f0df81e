/**
 * Events a projection could not apply, parked in observa_dead_letters (DESIGN.md §3) so that the
 * projection carries on. A letter is written in the same transaction that moves the projection past
 * its event (checkpoint or inbox row), so an event is either applied, parked, or still ahead: never
 * lost. The event itself stays in the store too; the letter keeps a copy as it arrived (a Kafka
 * message that is not an event at all has no other copy).
 */
import type { DataSource, EntityManager } from 'typeorm';
import { decodeEvent, encodeEvent } from '../event-codec.js';
import { positionToString, type RecordedEvent } from '../envelope.js';
import { Upcasters } from '../upcasting.js';
import type { MigrationSet } from '../migrations.js';
import { migrateOnce } from './migrate-once.js';
import type { Projection } from './projection.js';
import { storableCopyOf } from '../storable-json.js';
import { describeFailure, isTransientFailure } from './transient-failure.js';

/** IF NOT EXISTS: databases from before the migration runner have the table. */
export const DEAD_LETTER_TABLES: MigrationSet = {
  owner: 'dead-letters',
  migrations: [
    {
      version: 1,
      name: 'observa_dead_letters',
      sql: `CREATE TABLE IF NOT EXISTS observa_dead_letters (
       projection      text NOT NULL,
       event_id        text NOT NULL,
       parked_order    bigint GENERATED ALWAYS AS IDENTITY,
       global_position text,
       stream_id       text,
       event_type      text,
       origin          text NOT NULL,
       error           text NOT NULL,
       parked_at       timestamptz NOT NULL DEFAULT now(),
       event           bytea NOT NULL,
       PRIMARY KEY (projection, event_id))`,
    },
  ],
};

export const createDeadLettersTable = (dataSource: DataSource): Promise<void> =>
  migrateOnce(dataSource, DEAD_LETTER_TABLES);

/** What was parked, as an operator lists it. */
export type DeadLetter = {
  readonly projection: string;
  /** The event's id; for a message that is not an event, where it was (`kafka:<topic>/<partition>@<offset>`). */
  readonly eventId: string;
  readonly globalPosition: string | null;
  readonly streamId: string | null;
  readonly type: string | null;
  /** `$all`, or `kafka <topic>/<partition>@<offset>`. */
  readonly origin: string;
  readonly error: string;
  readonly parkedAt: Date;
};

export type Parcel = {
  readonly projection: string;
  /** Decoded, when it could be: the letter is then keyed and described by it. */
  readonly event?: RecordedEvent;
  /** The bytes as they arrived; the event's wire form when absent. */
  readonly payload?: Buffer;
  /** Key of a message that is not an event. */
  readonly key?: string;
  readonly origin: string;
  readonly error: unknown;
};

type Queryable = Pick<EntityManager, 'query'>;

/** Parks one event, inside the caller's transaction; parking it again only renews its error. */
export const park = async (tx: Queryable, parcel: Parcel): Promise<DeadLetter> => {
  const { event } = parcel;
  const eventId = event?.eventId ?? parcel.key;
  if (eventId === undefined) throw new Error('a dead letter needs an event or a key');
  const letter: DeadLetter = {
    projection: parcel.projection,
    eventId: storableCopyOf(eventId),
    globalPosition: event ? positionToString(event.globalPosition) : null,
    streamId: event ? storableCopyOf(event.streamId) : null,
    type: event ? storableCopyOf(event.type) : null,
    origin: storableCopyOf(parcel.origin),
    error: describeFailure(parcel.error),
    parkedAt: new Date(),
  };
  await tx.query(
    `INSERT INTO observa_dead_letters
       (projection, event_id, global_position, stream_id, event_type, origin, error, parked_at, event)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (projection, event_id) DO UPDATE SET error = EXCLUDED.error, origin = EXCLUDED.origin`,
    [
      letter.projection,
      letter.eventId,
      letter.globalPosition,
      letter.streamId,
      letter.type,
      letter.origin,
      letter.error,
      letter.parkedAt,
      parcel.payload ?? Buffer.from(encodeEvent(event!)),
    ],
  );
  return letter;
};

type Row = {
  projection: string;
  event_id: string;
  global_position: string | null;
  stream_id: string | null;
  event_type: string | null;
  origin: string;
  error: string;
  parked_at: Date;
};

const letterOf = (row: Row): DeadLetter => ({
  projection: row.projection,
  eventId: row.event_id,
  globalPosition: row.global_position,
  streamId: row.stream_id,
  type: row.event_type,
  origin: row.origin,
  error: row.error,
  parkedAt: row.parked_at,
});

/** In the order they were parked; every projection's when none is named. */
export const listDeadLetters = async (db: Queryable, projection?: string): Promise<DeadLetter[]> => {
  const rows: Row[] = await db.query(
    `SELECT projection, event_id, global_position, stream_id, event_type, origin, error, parked_at
       FROM observa_dead_letters WHERE $1::text IS NULL OR projection = $1 ORDER BY parked_order`,
    [projection ?? null],
  );
  return rows.map(letterOf);
};

export type ParkedCount = { readonly count: number; readonly lastParkedAt: Date };

/** How many events each projection has parked (projections with none are absent). */
export const countDeadLetters = async (db: Queryable): Promise<Map<string, ParkedCount>> => {
  const rows: { projection: string; count: string; last: Date }[] = await db.query(
    `SELECT projection, count(*) AS count, max(parked_at) AS last FROM observa_dead_letters GROUP BY projection`,
  );
  return new Map(rows.map((r) => [r.projection, { count: Number(r.count), lastParkedAt: r.last }]));
};

/** A rebuild applies every event again, and parks again those that still fail. */
export const discardDeadLetters = async (tx: Queryable, projection: string): Promise<void> => {
  await tx.query('DELETE FROM observa_dead_letters WHERE projection = $1', [projection]);
};

export type ReplayOutcome = {
  /** Applied now, and no longer parked. */
  readonly applied: number;
  /** Still failing, parked with their new error. */
  readonly stillParked: readonly DeadLetter[];
};

/**
 * Applies a projection's parked events again, oldest first, each in its own transaction with the
 * removal of its letter. A letter that fails again keeps its place with the new error; a transient
 * failure stops the replay (run it again). Projections guard by stream version, so an event whose
 * effect is already there changes nothing.
 */
export const replayDeadLetters = async (
  dataSource: DataSource,
  projection: Projection,
  upcasters: Upcasters = new Upcasters(),
): Promise<ReplayOutcome> => {
  await createDeadLettersTable(dataSource);
  // Read before any transaction opens: on the embedded database there is one connection.
  const rows: (Row & { event: Buffer })[] = await dataSource.query(
    `SELECT projection, event_id, global_position, stream_id, event_type, origin, error, parked_at, event
       FROM observa_dead_letters WHERE projection = $1 ORDER BY parked_order`,
    [projection.name],
  );
  let applied = 0;
  const stillParked: DeadLetter[] = [];
  for (const row of rows) {
    try {
      await dataSource.transaction(async (tx) => {
        await projection.apply(upcasters.upcast(decodeEvent(row.event)), tx);
        await tx.query('DELETE FROM observa_dead_letters WHERE projection = $1 AND event_id = $2', [
          row.projection,
          row.event_id,
        ]);
      });
      applied += 1;
    } catch (error) {
      if (isTransientFailure(error)) throw error;
      const letter = { ...letterOf(row), error: describeFailure(error) };
      await dataSource.query(
        'UPDATE observa_dead_letters SET error = $3 WHERE projection = $1 AND event_id = $2',
        [row.projection, row.event_id, letter.error],
      );
      stillParked.push(letter);
    }
  }
  return { applied, stillParked };
};
