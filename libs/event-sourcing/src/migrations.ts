/**
 * The one migration runner of every Postgres table Observa keeps: the event store's, the bookkeeping of
 * projections, relays and consumers, the personal-data vault, idempotency keys, each context's read
 * models. Every owner has a set of versioned SQL migrations, applied once, in order, under an advisory
 * lock so processes starting together on one database agree; `observa_schema_migrations` remembers
 * what ran, per owner. Callers reach it through their connection's own transaction:
 * `migrate(pool, sets)` (libs/eventstore-postgres), `migrateOnce(dataSource, set)` (projections/), or
 * a TransactionRunner (the vault).
 */

export type Migration = { readonly version: number; readonly name: string; readonly sql: string };

/** An owner's migrations, e.g. `{ owner: 'missions-read-models', migrations: [...] }`; versions from 1. */
export type MigrationSet = { readonly owner: string; readonly migrations: readonly Migration[] };

export type AppliedMigration = { readonly owner: string; readonly version: number; readonly name: string };

/** Runs one statement on the caller's transaction. */
export type MigrationStatements = (text: string, values?: readonly unknown[]) => Promise<unknown[]>;

const LOCK_KEY = 7_402_113; // any constant shared by every Observa process

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

/** Applies what `sets` has that the database has not, inside the caller's transaction (which commits it). */
export const applyMigrations = async (
  sql: MigrationStatements,
  sets: readonly MigrationSet[],
): Promise<AppliedMigration[]> => {
  await sql('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
  await sql(BOOKKEEPING);
  const rows = (await sql('SELECT owner, version FROM observa_schema_migrations')) as {
    owner: string;
    version: number;
  }[];
  const done = new Set(rows.map((r) => `${r.owner}:${r.version}`));
  const applied: AppliedMigration[] = [];
  for (const { owner, migrations } of sets)
    for (const migration of migrations) {
      if (done.has(`${owner}:${migration.version}`)) continue;
      await sql(migration.sql);
      await sql('INSERT INTO observa_schema_migrations (owner, version, name) VALUES ($1, $2, $3)', [
        owner,
        migration.version,
        migration.name,
      ]);
      applied.push({ owner, version: migration.version, name: migration.name });
    }
  return applied;
};
