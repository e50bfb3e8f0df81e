import { eventStoreContract } from '#testing';
import { openDatabase } from './database.js';
import { migrate } from './migrate.js';
import { PostgresEventStore } from './postgres-event-store.js';

eventStoreContract('PGlite (embedded)', async () => {
  const database = await openDatabase({ dataDir: 'memory://' });
  await migrate(database.pool);
  return {
    store: new PostgresEventStore(database.pool, { pollIntervalMs: 20 }),
    dispose: () => database.close(),
  };
});
