/**
 * Read models through @nestjs/typeorm on the process's one pg pool: contexts register entities with
 * TypeOrmModule.forFeature and inject repositories as usual. Tables are synchronized from the
 * entities: read models can always be rebuilt from the events, so they have no migrations of their own yet.
 */
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type pg from 'pg';
import type { Database } from '#eventstore-postgres';
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
        synchronize: true,
        extra: { sharedPool: database.pool },
      }),
      dataSourceFactory: async (options) => {
        const { sharedPool } = (options as { extra: { sharedPool: pg.Pool } }).extra;
        const entities = (options?.entities ?? []) as ReadModelEntity[];
        return dataSourceOn(sharedPool, entities, { synchronize: true });
      },
    }),
  ],
})
export class ReadModelsModule {}
