/**
 * The embedded default: PGlite (Postgres compiled to WASM) on a local folder, served on a loopback
 * port so the same pg-based code runs on it. PGlite is one session: everything in the process must
 * share ONE connection (a pool of max 1), or a second connection waits forever behind the first.
 */
import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export type EmbeddedPostgres = {
  /** A connection string for pg; use it with exactly one connection. */
  readonly url: string;
  stop(): Promise<void>;
};

/** `dataDir` of `memory://` keeps nothing on disk (tests). */
export const startEmbeddedPostgres = async (dataDir: string): Promise<EmbeddedPostgres> => {
  if (!dataDir.startsWith('memory://')) await mkdir(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir);
  // Two sockets, never two sessions: the pool holds one connection, and a replaced connection's
  // socket may still be closing when its successor connects.
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 2 });
  await server.start();
  const address = server.getServerConn();
  const port = Number(address.slice(address.lastIndexOf(':') + 1));
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres?sslmode=disable`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
};
