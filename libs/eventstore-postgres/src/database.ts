/** One pg pool per process, on a Postgres server or on the embedded PGlite; everything shares it. */
import pg from 'pg';
import { startEmbeddedPostgres } from './embedded.js';

export type Database = {
  readonly pool: pg.Pool;
  readonly embedded: boolean;
  /** Where it lives, without credentials: for /health and logs. */
  readonly describe: string;
  close(): Promise<void>;
};

export type DatabaseTarget =
  { readonly url: string; readonly maxConnections?: number } | { readonly dataDir: string };

const redact = (url: string): string => {
  const parsed = new URL(url);
  parsed.password = parsed.password ? '***' : '';
  return parsed.toString();
};

export const openDatabase = async (target: DatabaseTarget): Promise<Database> => {
  if ('url' in target) {
    const pool = new pg.Pool({ connectionString: target.url, max: target.maxConnections ?? 10 });
    pool.on('error', () => undefined); // an idle client that dies is replaced on the next checkout
    return { pool, embedded: false, describe: redact(target.url), close: () => pool.end() };
  }
  const embedded = await startEmbeddedPostgres(target.dataDir);
  const pool = new pg.Pool({ connectionString: embedded.url, max: 1, idleTimeoutMillis: 0 });
  pool.on('error', () => undefined);
  // The PGlite session outlives a replaced connection, and with it the named statements of the old one.
  let first = true;
  pool.on('connect', (client) => {
    if (!first) client.query('DEALLOCATE ALL').catch(() => undefined);
    first = false;
  });
  return {
    pool,
    embedded: true,
    describe: `pglite:${target.dataDir}`,
    async close() {
      await pool.end();
      await embedded.stop();
    },
  };
};

/**
 * Runs one statement on a pooled client. Unlike pool.query, a statement that fails with an SQL error
 * (a version conflict, say) gives the connection back for reuse instead of closing it.
 */
export const runQuery = async <Row extends pg.QueryResultRow>(
  pool: pg.Pool,
  query: pg.QueryConfig,
): Promise<pg.QueryResult<Row>> => {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    return await client.query<Row>(query);
  } catch (error) {
    if (!(error instanceof pg.DatabaseError)) broken = error as Error;
    throw error;
  } finally {
    client.release(broken);
  }
};
