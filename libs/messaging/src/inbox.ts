/** The consumer's inbox (DESIGN.md §3): an event id seen once per consumer, so a redelivery has no second effect. */
import type { DataSource, EntityManager } from 'typeorm';
import type { MigrationSet } from '#event-sourcing';
import { migrateOnce } from '#event-sourcing/projections';

/** IF NOT EXISTS: databases from before the migration runner have the table. */
export const INBOX_TABLES: MigrationSet = {
  owner: 'inbox',
  migrations: [
    {
      version: 1,
      name: 'observa_inbox',
      sql: `CREATE TABLE IF NOT EXISTS observa_inbox (
              consumer    text NOT NULL,
              event_id    uuid NOT NULL,
              received_at timestamptz NOT NULL DEFAULT now(),
              PRIMARY KEY (consumer, event_id))`,
    },
  ],
};

export const createInboxTable = (dataSource: DataSource): Promise<void> =>
  migrateOnce(dataSource, INBOX_TABLES);

/** true the first time `consumer` receives the event; false for a redelivery. Call inside the transaction that applies it. */
export const receiveOnce = async (tx: EntityManager, consumer: string, eventId: string): Promise<boolean> => {
  const rows: unknown[] = await tx.query(
    'INSERT INTO observa_inbox (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING event_id',
    [consumer, eventId],
  );
  return rows.length === 1;
};

/**
 * The ids among `eventIds` that `consumer` receives for the first time (each once, however often it is
 * listed), lowercase as Postgres prints a uuid: one statement for a batch. Call inside the transaction that applies them.
 */
export const receiveEachOnce = async (
  tx: EntityManager,
  consumer: string,
  eventIds: readonly string[],
): Promise<Set<string>> => {
  const rows: { event_id: string }[] = await tx.query(
    `INSERT INTO observa_inbox (consumer, event_id)
     SELECT $1, id FROM unnest($2::uuid[]) AS id
     ON CONFLICT DO NOTHING RETURNING event_id`,
    [consumer, eventIds],
  );
  return new Set(rows.map((row) => row.event_id));
};
