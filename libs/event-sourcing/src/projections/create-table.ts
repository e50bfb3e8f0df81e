/**
 * Creates a bookkeeping table (checkpoints, inbox) if missing, once per DataSource; the lock keeps two
 * starting processes from racing on it. A failed attempt is forgotten, so the next call tries again.
 */
import type { DataSource } from 'typeorm';

const LOCK_KEY = 7_402_114; // migrate.ts of the event store uses 7_402_113

const created = new WeakMap<DataSource, Map<string, Promise<void>>>();

export const createTableOnce = (dataSource: DataSource, ddl: string): Promise<void> => {
  const done = created.get(dataSource) ?? new Map<string, Promise<void>>();
  created.set(dataSource, done);
  let creating = done.get(ddl);
  if (!creating) {
    creating = dataSource.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
      await tx.query(ddl);
    });
    creating.catch(() => done.delete(ddl));
    done.set(ddl, creating);
  }
  return creating;
};
