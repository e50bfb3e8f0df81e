/**
 * The event store of a host process: embedded PGlite under OBSERVA_DATA_DIR, or the Postgres server
 * at DATABASE_URL. Migrated before anything uses it; closed after the HTTP server has stopped.
 */
import { Inject, Logger, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '#event-sourcing';
import { migrate, openDatabase, PostgresEventStore, type Database } from '#eventstore-postgres';
import type { AppConfig } from './config.js';
import { STORE_DESCRIPTION, type StoreDescription } from './health.js';
import { instrumentStore, Metrics } from './metrics.js';

export const DATABASE = Symbol('Database');

const openMigrated = async (config: AppConfig): Promise<Database> => {
  const database = await openDatabase(
    config.databaseUrl ? { url: config.databaseUrl } : { dataDir: config.dataDir },
  );
  try {
    const applied = await migrate(database.pool);
    if (applied.length > 0)
      new Logger('EventStore').log(`migrated ${database.describe} to version ${applied.at(-1)}`);
    return database;
  } catch (error) {
    await database.close();
    throw error;
  }
};

@Module({})
export class EventStoreModule implements OnApplicationShutdown {
  constructor(
    @Inject(DATABASE) private readonly database: Database,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: EventStoreModule,
      global: true,
      providers: [
        { provide: DATABASE, useFactory: () => openMigrated(config) },
        {
          provide: EVENT_STORE,
          inject: [DATABASE, Metrics],
          useFactory: (database: Database, metrics: Metrics): EventStore =>
            instrumentStore(new PostgresEventStore(database.pool), metrics),
        },
        {
          provide: STORE_DESCRIPTION,
          inject: [DATABASE],
          useFactory: (database: Database): StoreDescription => ({
            kind: database.embedded ? 'pglite' : 'postgres',
            describe: database.describe,
          }),
        },
      ],
      exports: [DATABASE, EVENT_STORE, STORE_DESCRIPTION],
    };
  }

  /** Runs after Nest has closed the HTTP server: no request is left to need the database. */
  async onApplicationShutdown(signal?: string): Promise<void> {
    await this.store.close();
    await this.database.close();
    new Logger('EventStore').log(`closed ${this.database.describe}${signal ? ` on ${signal}` : ''}`);
  }
}
