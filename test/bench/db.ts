/**
 * Databases for the benchmark on the Postgres server (TEST_DATABASE_URL, default the local trust
 * server), made by the tests' own helper (libs/testing/src/postgres.ts, imported by path: the rest of
 * libs/testing needs Jest).
 */
import pg from 'pg';
import { createTestDatabase, serverUrl, type TestDatabase } from '../../libs/testing/src/postgres.js';

export { serverUrl };

const onServer = async <T>(work: (client: pg.Client) => Promise<T>): Promise<T> => {
  const client = new pg.Client({ connectionString: serverUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
};
export type BenchDatabase = TestDatabase;

/** A fresh, empty database; `label` only helps to recognise a leftover one. */
export const createBenchDatabase = (label: string): Promise<BenchDatabase> =>
  createTestDatabase(`observa_bench_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}`);

export const withBenchDatabase = async <T>(
  label: string,
  work: (db: BenchDatabase) => Promise<T>,
): Promise<T> => {
  const db = await createBenchDatabase(label);
  try {
    return await work(db);
  } finally {
    await db.drop();
  }
};

/**
 * Flushes dirty pages so a checkpoint triggered by the previous measurement's WAL does not land in
 * the next one. Needs superuser (or pg_checkpoint); skipped quietly without it.
 */
export const checkpoint = async (): Promise<void> => {
  await onServer((c) => c.query('CHECKPOINT')).catch(() => undefined);
};

/** Other sessions doing work on the server right now: they share the 2 cores with the benchmark. */
export const otherActiveSessions = async (): Promise<number> =>
  onServer(async (c) => {
    const { rows } = await c.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE state = 'active' AND pid <> pg_backend_pid() AND backend_type = 'client backend'`,
    );
    return rows[0].n;
  });

export const serverDescription = async (): Promise<Record<string, unknown>> =>
  onServer(async (c) => {
    const version = (await c.query<{ v: string }>('SELECT version() AS v')).rows[0].v;
    const settings = await c.query<{ name: string; setting: string; unit: string | null }>(
      `SELECT name, setting, unit FROM pg_settings
        WHERE name IN ('shared_buffers', 'synchronous_commit', 'fsync', 'wal_level', 'max_wal_size',
                       'commit_delay', 'work_mem', 'max_connections', 'jit')`,
    );
    const url = new URL(serverUrl());
    return {
      server: `${url.hostname}:${url.port || 5432}`,
      version,
      settings: Object.fromEntries(
        settings.rows.map((s) => [s.name, s.unit ? `${s.setting} ${s.unit}` : s.setting]),
      ),
    };
  });

/**
 * Emmett (through dumbo) replaces pg's process-wide parsers for int8, json and jsonb the first time
 * it opens a pool: int8 becomes BigInt and jsonb goes through JSON.parse with a BigInt reviver.
 * The runner installs each contender's own parsers while it runs and pg's defaults otherwise.
 */
const TYPE_OIDS = [20, 114, 3802] as const;

export type PgParsers = ReadonlyMap<number, (value: string) => unknown>;

export const snapshotPgParsers = (): PgParsers =>
  new Map(TYPE_OIDS.map((oid) => [oid, pg.types.getTypeParser(oid, 'text')] as const));

export const installPgParsers = (parsers: PgParsers): void => {
  for (const [oid, parser] of parsers) pg.types.setTypeParser(oid, 'text', parser);
};

/** Fails loudly if someone else's parsers are installed (a bench must not measure them by accident). */
export const assertDefaultPgParsers = (): void => {
  const int8 = pg.types.getTypeParser(20, 'text')('1');
  if (typeof int8 !== 'string')
    throw new Error('pg int8 parser is not the default: an earlier contender changed it');
};
