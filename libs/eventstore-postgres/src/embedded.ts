/**
 * The embedded default: PGlite (Postgres compiled to WASM) on a local folder, served on a Unix socket
 * so the same pg-based code runs on it. PGlite is one session: everything in the process must share ONE
 * connection (a pool of max 1), or a second connection waits forever behind the first.
 *
 * The socket is in a folder only this process's user can enter (mode 0700): the embedded server has no
 * password, and a loopback TCP port would let any local user read person keys and password hashes.
 * The data folder is locked for the life of the process (data-folder-lock.ts).
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { lockDataFolder } from './data-folder-lock.js';

export type EmbeddedPostgres = {
  /** A connection string for pg; use it with exactly one connection. */
  readonly url: string;
  stop(): Promise<void>;
};

/** `dataDir` of `memory://` keeps nothing on disk (tests). */
export const startEmbeddedPostgres = async (dataDir: string): Promise<EmbeddedPostgres> => {
  let unlock = async () => undefined as void;
  if (!dataDir.startsWith('memory://')) {
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    unlock = await lockDataFolder(dataDir);
  }
  const socketDir = await mkdtemp(join(tmpdir(), 'observa-pg-'));
  try {
    const db = await PGlite.create(dataDir);
    // Two sockets, never two sessions: the pool holds one connection, and a replaced connection's
    // socket may still be closing when its successor connects.
    const server = new PGLiteSocketServer({ db, path: join(socketDir, '.s.PGSQL.5432'), maxConnections: 2 });
    await server.start();
    return {
      url: `postgres://postgres@${encodeURIComponent(socketDir)}/postgres?sslmode=disable`,
      async stop() {
        try {
          await server.stop();
          await db.close();
        } finally {
          await rm(socketDir, { recursive: true, force: true });
          await unlock();
        }
      },
    };
  } catch (error) {
    await rm(socketDir, { recursive: true, force: true });
    await unlock();
    throw error;
  }
};
