/**
 * The bookkeeping tables of projections, relays and consumers (checkpoints, dead letters, inbox, relay
 * marks), made through the one migration runner on the DataSource they are used with, once per
 * DataSource. A failed attempt is forgotten, so the next call tries again.
 */
import type { DataSource } from 'typeorm';
import { applyMigrations, type MigrationSet } from '../migrations.js';

const migrated = new WeakMap<DataSource, Map<string, Promise<void>>>();

export const migrateOnce = (dataSource: DataSource, set: MigrationSet): Promise<void> => {
  const done = migrated.get(dataSource) ?? new Map<string, Promise<void>>();
  migrated.set(dataSource, done);
  let migrating = done.get(set.owner);
  if (!migrating) {
    migrating = dataSource.transaction(async (tx) => {
      await applyMigrations((text, values) => tx.query(text, values ? [...values] : undefined), [set]);
    });
    migrating.catch(() => done.delete(set.owner));
    done.set(set.owner, migrating);
  }
  return migrating;
};
