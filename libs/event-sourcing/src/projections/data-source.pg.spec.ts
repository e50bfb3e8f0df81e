import { describe, expect, it } from '@jest/globals';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import { openDatabase, type Database } from '#eventstore-postgres';
import { createTestDatabase } from '#testing';
import { dataSourceOn } from './data-source.js';

@Entity('polling_stations')
class PollingStation {
  @PrimaryColumn('text') code!: string;
  @Column('text') district!: string;
}

const sharesThePool = (open: () => Promise<{ db: Database; dispose(): Promise<void> }>) => async () => {
  const { db, dispose } = await open();
  try {
    const dataSource = await dataSourceOn(db.pool, [PollingStation], { synchronize: true }).initialize();
    await dataSource.getRepository(PollingStation).save({ code: 'PS-001', district: 'Bishkek' });
    expect((await db.pool.query('SELECT district FROM polling_stations')).rows).toEqual([
      { district: 'Bishkek' },
    ]);
    if (db.embedded) expect(db.pool.totalCount).toBe(1);

    await dataSource.destroy();
    // The pool is its opener's: TypeORM letting go of it leaves it open for the event store.
    expect((await db.pool.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
  } finally {
    await dispose();
  }
};

describe('a TypeORM DataSource on the process pool', () => {
  it(
    'works on a Postgres server and leaves the pool open when destroyed',
    sharesThePool(async () => {
      const database = await createTestDatabase();
      const db = await openDatabase({ url: database.url });
      return {
        db,
        async dispose() {
          await db.close();
          await database.drop();
        },
      };
    }),
  );

  it(
    'works on PGlite through its single connection',
    sharesThePool(async () => {
      const db = await openDatabase({ dataDir: 'memory://' });
      return { db, dispose: () => db.close() };
    }),
  );
});
