/** The migration runner (libs/event-sourcing migrations.ts) on a pg pool; by default, the event store's own set. */
import type pg from 'pg';
import {
  applyMigrations,
  transactionsOnPool,
  type AppliedMigration,
  type MigrationSet,
} from '#event-sourcing';
import { migrations } from './schema.js';

export type { AppliedMigration, Migration, MigrationSet } from '#event-sourcing';

export const EVENT_STORE_MIGRATIONS: MigrationSet = { owner: 'event-store', migrations };

/** Applies what `sets` (default: the event store's) has that the database has not, in one transaction. */
export const migrate = (
  pool: pg.Pool,
  sets: readonly MigrationSet[] = [EVENT_STORE_MIGRATIONS],
): Promise<AppliedMigration[]> => transactionsOnPool(pool)((sql) => applyMigrations(sql, sets));
