/**
 * A TypeORM DataSource on the process's one pg pool (DESIGN.md §4: on the embedded database a
 * second pool would wait forever behind the first). TypeORM's postgres driver builds its pool with
 * `new driver.Pool(options)`; we hand it a pg module whose Pool is the shared pool, with `end()` made
 * a no-op because the pool belongs to whoever opened it, not to TypeORM.
 */
import pg from 'pg';
import { DataSource, type DataSourceOptions } from 'typeorm';
import type { ReadModelEntity } from './projection.js';

type PostgresOptions = Extract<DataSourceOptions, { type: 'postgres' }>;

/** What a caller may set; connection and pool settings come from the shared pool. */
export type ReadModelOptions = Omit<
  PostgresOptions,
  'type' | 'driver' | 'entities' | 'url' | 'host' | 'port' | 'poolSize' | 'extra' | 'replication'
>;

const withoutEnd = (pool: pg.Pool): pg.Pool =>
  new Proxy(pool, {
    get(target, property) {
      if (property === 'end')
        return (callback?: (error?: Error) => void) => {
          callback?.();
          return Promise.resolve();
        };
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });

/**
 * Not initialized: call `initialize()` (or hand it to Nest's TypeOrmModule). Hosts never let TypeORM
 * change tables: read-model tables come from migrations (libs/platform ReadModelTables). Specs of a
 * projection alone may pass `synchronize: true`.
 */
export const dataSourceOn = (
  pool: pg.Pool,
  entities: readonly ReadModelEntity[],
  options: ReadModelOptions = {},
): DataSource => {
  const shared = withoutEnd(pool);
  const driver = {
    ...pg,
    Pool: function SharedPool() {
      return shared;
    },
  };
  return new DataSource({ ...options, type: 'postgres', driver, entities: [...entities] });
};
