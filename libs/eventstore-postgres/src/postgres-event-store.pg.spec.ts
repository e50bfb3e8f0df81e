import pg from 'pg';
import { createTestDatabase, eventStoreContract } from '#testing';
import { migrate } from './migrate.js';
import { PostgresEventStore } from './postgres-event-store.js';

eventStoreContract('Postgres server', async () => {
  const database = await createTestDatabase();
  const pool = new pg.Pool({ connectionString: database.url, max: 10 });
  await migrate(pool);
  return {
    store: new PostgresEventStore(pool, { pollIntervalMs: 20 }),
    async dispose() {
      await pool.end();
      await database.drop();
    },
  };
});
