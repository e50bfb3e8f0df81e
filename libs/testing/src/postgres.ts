/** A fresh database per test file on the Postgres server (TEST_DATABASE_URL, default local trust auth). */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database } from '#eventstore-postgres';

export const serverUrl = (): string =>
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const withDatabase = (url: string, database: string): string => {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
};

export type TestDatabase = { readonly url: string; readonly name: string; drop(): Promise<void> };

export const createTestDatabase = async (prefix = 'observa_test'): Promise<TestDatabase> => {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return {
    url: withDatabase(serverUrl(), name),
    name,
    async drop() {
      const client = new pg.Client({ connectionString: serverUrl() });
      await client.connect();
      try {
        // pg's pool.end() resolves before its sockets close: let those sessions leave on their own
        // first, or forcing them out shows up as an unhandled error in the test that just finished.
        for (let i = 0; i < 100; i++) {
          const { rows } = await client.query(
            'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1',
            [name],
          );
          if (rows[0].n === 0) break;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
};

export type OpenedTestDatabase = { readonly database: Database; cleanup(): Promise<void> };

/**
 * The two databases a store-facing spec runs on, by name: a fresh database on the Postgres server, and
 * an in-memory PGlite (one session). `describe`/`specsOn` over both.
 */
export const TEST_DATABASES: readonly (readonly [string, () => Promise<OpenedTestDatabase>])[] = [
  [
    'Postgres server',
    async () => {
      const testDb = await createTestDatabase();
      const database = await openDatabase({ url: testDb.url, maxConnections: 4 });
      return {
        database,
        cleanup: async () => {
          await database.close();
          await testDb.drop();
        },
      };
    },
  ],
  [
    'PGlite',
    async () => {
      const database = await openDatabase({ dataDir: 'memory://' });
      return { database, cleanup: () => database.close() };
    },
  ],
];
