/**
 * The event store of a host process: embedded PGlite under OBSERVA_DATA_DIR, the Postgres server at
 * DATABASE_URL, or the EventStoreDB/KurrentDB server at EVENTSTOREDB_URL (then the Postgres database at
 * DATABASE_URL still keeps the read models, checkpoints, keys and the personal-data vault). Postgres is
 * migrated before anything uses it; both are closed after the HTTP server has stopped.
 */
import { Inject, Logger, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '#event-sourcing';
import { connectEventStoreDb } from '#eventstore-eventstoredb';
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
      new Logger('EventStore').log(`migrated ${database.describe} to version ${applied.at(-1)?.version}`);
    return database;
  } catch (error) {
    await database.close();
    throw error;
  }
};

/** An EventStoreDB connection string as an operator may read it: no credentials, no options. */
const describeEventStoreDb = (url: string): string =>
  `eventstoredb:${
    url
      .replace(/^[a-z+]+:\/\//i, '')
      .replace(/^[^@/]*@/, '')
      .split(/[/?]/)[0]
  }`;

/** The adapter the configuration calls for, on the process's Postgres database unless EVENTSTOREDB_URL is set. */
export const eventStoreFor = (
  config: Pick<AppConfig, 'eventStoreDbUrl'>,
  database: Database,
): { store: EventStore; description: StoreDescription } =>
  config.eventStoreDbUrl
    ? {
        store: connectEventStoreDb(config.eventStoreDbUrl),
        description: { kind: 'eventstoredb', describe: describeEventStoreDb(config.eventStoreDbUrl) },
      }
    : {
        store: new PostgresEventStore(database.pool),
        description: { kind: database.embedded ? 'pglite' : 'postgres', describe: database.describe },
      };

const SELECTED_STORE = Symbol('SelectedStore');

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
          provide: SELECTED_STORE,
          inject: [DATABASE],
          useFactory: (database: Database) => eventStoreFor(config, database),
        },
        {
          provide: EVENT_STORE,
          inject: [SELECTED_STORE, Metrics],
          useFactory: ({ store }: ReturnType<typeof eventStoreFor>, metrics: Metrics): EventStore =>
            instrumentStore(store, metrics),
        },
        {
          provide: STORE_DESCRIPTION,
          inject: [SELECTED_STORE],
          useFactory: ({ description }: ReturnType<typeof eventStoreFor>): StoreDescription => description,
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
