import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { DataFolderInUse, lockDataFolder, lockFileOf } from './data-folder-lock.js';
import { openDatabase } from './database.js';

/** The pid of a process that has ended. */
const deadPid = async (): Promise<number> => {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
};

describe('the data folder lock', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'observa-lock-'));
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
    await rm(lockFileOf(dataDir), { force: true });
  });

  it('refuses a second opener, naming the process that holds the folder', async () => {
    const release = await lockDataFolder(dataDir);
    await expect(lockDataFolder(dataDir)).rejects.toThrow(new DataFolderInUse(dataDir, process.pid).message);
    await release();
    const again = await lockDataFolder(dataDir);
    await again();
  });

  it('refuses while another live process holds it', async () => {
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      await writeFile(lockFileOf(dataDir), `${other.pid}\n`);
      await expect(lockDataFolder(dataDir)).rejects.toBeInstanceOf(DataFolderInUse);
    } finally {
      other.kill();
    }
  });

  it('takes over the lock of a process that died without releasing it', async () => {
    await writeFile(lockFileOf(dataDir), `${await deadPid()}\n`);
    const release = await lockDataFolder(dataDir);
    expect(await readFile(lockFileOf(dataDir), 'utf8')).toBe(`${process.pid}\n`);
    await release();
  });

  it('takes over a lock file that was never written whole', async () => {
    await writeFile(lockFileOf(dataDir), '');
    const release = await lockDataFolder(dataDir);
    await release();
    await expect(stat(lockFileOf(dataDir))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('keeps a second embedded database off a folder that one has open, and lets it in once closed', async () => {
    const first = await openDatabase({ dataDir });
    try {
      await expect(openDatabase({ dataDir })).rejects.toBeInstanceOf(DataFolderInUse);
      // A whole database, catalogs and all: the lock lies beside the folder, so PGlite made a new one.
      const { rows } = await first.pool.query(
        "SELECT count(*)::int AS n FROM pg_class WHERE relname = 'pg_type'",
      );
      expect(rows).toEqual([{ n: 1 }]);
      expect(await stat(lockFileOf(dataDir))).toBeTruthy();
    } finally {
      await first.close();
    }
    const second = await openDatabase({ dataDir });
    await second.close();
  });
});

describe('the embedded database', () => {
  it('listens on no TCP port, only on a socket in a folder no other user can enter', async () => {
    const database = await openDatabase({ dataDir: 'memory://' });
    const [socketDir] = (database.pool.options as { connectionString: string }).connectionString
      .replace('postgres://postgres@', '')
      .split('/postgres');
    const folder = decodeURIComponent(socketDir);
    try {
      expect(folder).toMatch(/^\//);
      expect((await stat(folder)).mode & 0o777).toBe(0o700);
      expect((await database.pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await database.close();
    }
    await expect(stat(folder)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
