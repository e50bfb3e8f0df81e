/**
 * Read models through @nestjs/typeorm on the process's one pg pool: contexts register their entities and
 * the migrations that make their tables with ReadModelTables.forFeature, and inject repositories as
 * usual. TypeORM never changes a table here (no `synchronize`): the one migration runner of
 * libs/eventstore-postgres does, before anything reads or projects, on PGlite and on a server alike.
 */
import { Logger, Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type pg from 'pg';
import { migrate, type Database, type MigrationSet } from '#eventstore-postgres';
import { dataSourceOn, type ReadModelEntity } from '#event-sourcing/projections';
import { DATABASE } from './event-store.module.js';

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [DATABASE],
      // The shared pool travels in `extra`: dataSourceFactory sees only these options.
      useFactory: (database: Database) => ({
        type: 'postgres' as const,
        autoLoadEntities: true,
        extra: { sharedPool: database.pool },
      }),
      dataSourceFactory: async (options) => {
        const { sharedPool } = (options as { extra: { sharedPool: pg.Pool } }).extra;
        const entities = (options?.entities ?? []) as ReadModelEntity[];
        return dataSourceOn(sharedPool, entities);
      },
    }),
  ],
})
export class ReadModelsModule {}

/** A context's read-model tables: its entities for TypeORM, and the migrations that make them. */
@Module({})
export class ReadModelTables {
  static forFeature(entities: readonly ReadModelEntity[], schema: MigrationSet): DynamicModule {
    return {
      module: ReadModelTables,
      imports: [TypeOrmModule.forFeature([...entities])],
      providers: [
        {
          // Resolved while the app is built: before any route answers or projection starts.
          provide: `ReadModelTables:${schema.owner}`,
          inject: [DATABASE],
          useFactory: async (database: Database) => {
            const applied = await migrate(database.pool, [schema]);
            if (applied.length > 0)
              new Logger('ReadModels').log(
                `migrated ${schema.owner} on ${database.describe} to version ${applied.at(-1)?.version}`,
              );
            return applied;
          },
        },
      ],
      exports: [TypeOrmModule],
    };
  }
}
export type { MigrationSet } from '#eventstore-postgres';
