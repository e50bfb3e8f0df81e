/** The one migration runner: sets per owner, applied once, and databases from before owners existed. */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '#testing';
import { migrate, type MigrationSet } from './migrate.js';

const tallies: MigrationSet = {
  owner: 'tallies',
  migrations: [
    { version: 1, name: 'tallies', sql: 'CREATE TABLE tallies (id text PRIMARY KEY)' },
    { version: 2, name: 'totals', sql: 'ALTER TABLE tallies ADD COLUMN total integer NOT NULL DEFAULT 0' },
  ],
};
const visits: MigrationSet = {
  owner: 'visits',
  migrations: [{ version: 1, name: 'visits', sql: 'CREATE TABLE visits (id text PRIMARY KEY)' }],
};

describe('migrate', () => {
  let db: TestDatabase;
  let pool: pg.Pool;

  beforeEach(async () => {
    db = await createTestDatabase('observa_migrate');
    pool = new pg.Pool({ connectionString: db.url });
  });
  afterEach(async () => {
    await pool.end();
    await db.drop();
  });

  const recorded = async () =>
    (
      await pool.query<{ owner: string; version: number }>(
        'SELECT owner, version FROM observa_schema_migrations ORDER BY owner, version',
      )
    ).rows;

  it('applies each owner’s migrations once, in order, the same versions apart', async () => {
    expect(await migrate(pool, [tallies, visits])).toEqual([
      { owner: 'tallies', version: 1, name: 'tallies' },
      { owner: 'tallies', version: 2, name: 'totals' },
      { owner: 'visits', version: 1, name: 'visits' },
    ]);
    expect(await migrate(pool, [tallies, visits])).toEqual([]);
    await pool.query("INSERT INTO tallies (id) VALUES ('a')");
    expect((await pool.query('SELECT total FROM tallies')).rows).toEqual([{ total: 0 }]);
  });

  it('applies nothing of a set whose migration fails, and says which', async () => {
    const broken: MigrationSet = {
      owner: 'broken',
      migrations: [
        { version: 1, name: 'fine', sql: 'CREATE TABLE fine (id text)' },
        { version: 2, name: 'typo', sql: 'CREATE TABLEE nope (id text)' },
      ],
    };
    await expect(migrate(pool, [broken])).rejects.toThrow(/syntax error/);
    expect((await pool.query("SELECT to_regclass('fine') AS found")).rows).toEqual([{ found: null }]);
  });

  it('takes over a database from before owners: its rows are the event store’s', async () => {
    await pool.query(
      `CREATE TABLE observa_schema_migrations (
         version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());
       INSERT INTO observa_schema_migrations (version, name) VALUES (1, 'events');
       CREATE TABLE observa_events (stand_in text)`,
    );
    // The event store's version 1 is not run again (it would fail on the existing table).
    expect(await migrate(pool)).toEqual([]);
    expect(await migrate(pool, [visits])).toEqual([{ owner: 'visits', version: 1, name: 'visits' }]);
    expect(await recorded()).toEqual([
      { owner: 'event-store', version: 1 },
      { owner: 'visits', version: 1 },
    ]);
  });
});
