/**
 * The one migration runner of every Postgres table Observa keeps: the event store's (schema.ts) and each
 * owner's set (read models, …). Each set is applied once, in order, under an advisory lock so concurrent
 * starts (a context and the gateway on one database) agree; `observa_schema_migrations` remembers what
 * ran, per owner.
 */
import type pg from 'pg';
import { migrations, type Migration } from './schema.js';

const LOCK_KEY = 7_402_113; // any constant shared by every Observa process

/** An owner's migrations, e.g. `{ owner: 'missions-read-models', migrations: [...] }`; versions from 1. */
export type MigrationSet = { readonly owner: string; readonly migrations: readonly Migration[] };

export const EVENT_STORE_MIGRATIONS: MigrationSet = { owner: 'event-store', migrations };

export type AppliedMigration = { readonly owner: string; readonly version: number; readonly name: string };

/**
 * Before owners, the table had one set (the event store's), keyed by version alone: those rows become
 * the event store's, and the key becomes (owner, version).
 */
const BOOKKEEPING = `
  CREATE TABLE IF NOT EXISTS observa_schema_migrations (
    owner text NOT NULL DEFAULT 'event-store',
    version integer NOT NULL,
    name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT observa_schema_migrations_owner_version PRIMARY KEY (owner, version));
  DO $$
  BEGIN
    IF NOT EXISTS (SELECT 1 FROM information_schema.columns
                   WHERE table_schema = current_schema() AND table_name = 'observa_schema_migrations'
                     AND column_name = 'owner') THEN
      ALTER TABLE observa_schema_migrations ADD COLUMN owner text NOT NULL DEFAULT 'event-store';
      ALTER TABLE observa_schema_migrations DROP CONSTRAINT observa_schema_migrations_pkey;
      ALTER TABLE observa_schema_migrations
        ADD CONSTRAINT observa_schema_migrations_owner_version PRIMARY KEY (owner, version);
    END IF;
  END $$;`;

/** Applies what `sets` (default: the event store's) has that the database has not, in one transaction. */
export const migrate = async (
  pool: pg.Pool,
  sets: readonly MigrationSet[] = [EVENT_STORE_MIGRATIONS],
): Promise<AppliedMigration[]> => {
  const client = await pool.connect();
  const applied: AppliedMigration[] = [];
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
    await client.query(BOOKKEEPING);
    const { rows } = await client.query<{ owner: string; version: number }>(
      'SELECT owner, version FROM observa_schema_migrations',
    );
    const done = new Set(rows.map((r) => `${r.owner}:${r.version}`));
    for (const { owner, migrations: ordered } of sets)
      for (const migration of ordered) {
        if (done.has(`${owner}:${migration.version}`)) continue;
        await client.query(migration.sql);
        await client.query(
          'INSERT INTO observa_schema_migrations (owner, version, name) VALUES ($1, $2, $3)',
          [owner, migration.version, migration.name],
        );
        applied.push({ owner, version: migration.version, name: migration.name });
      }
    await client.query('COMMIT');
    return applied;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
};
