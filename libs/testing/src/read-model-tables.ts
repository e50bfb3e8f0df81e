/**
 * What TypeORM would still change after a context's table migrations have run on an empty database,
 * beyond what it would change on tables it made itself with `synchronize` (it re-sets a jsonb default
 * every time, for one): the SQL that tells the migrations and the entities apart. Empty when they agree.
 */
import pg from 'pg';
import { dataSourceOn, type ReadModelEntity } from '#event-sourcing/projections';
import { migrate, type MigrationSet } from '#eventstore-postgres';
import { createTestDatabase } from './postgres.js';

/** The SQL synchronize would run on a database prepared by `prepare`. */
const pendingAfter = async (
  entities: readonly ReadModelEntity[],
  prepare: (pool: pg.Pool) => Promise<void>,
): Promise<string[]> => {
  const db = await createTestDatabase('observa_tables');
  const pool = new pg.Pool({ connectionString: db.url, max: 1 });
  try {
    await prepare(pool);
    const dataSource = await dataSourceOn(pool, entities).initialize();
    try {
      const { upQueries } = await dataSource.driver.createSchemaBuilder().log();
      return upQueries.map((query) => query.query);
    } finally {
      await dataSource.destroy();
    }
  } finally {
    await pool.end();
    await db.drop();
  }
};

export const schemaDriftOf = async (
  schema: MigrationSet,
  entities: readonly ReadModelEntity[],
): Promise<string[]> => {
  const synchronized = await pendingAfter(entities, async (pool) => {
    const synchronizing = await dataSourceOn(pool, entities, { synchronize: true }).initialize();
    await synchronizing.destroy();
  });
  const migrated = await pendingAfter(entities, async (pool) => {
    await migrate(pool, [schema]);
    // Applied again without harm: a database made by synchronize, before migrations, already has the tables.
    await migrate(pool, [{ ...schema, owner: `${schema.owner}-again` }]);
  });
  return migrated.filter((query) => !synchronized.includes(query));
};
