/**
 * One process per data folder. PGlite takes no lock of its own, and two processes writing one folder
 * each believe they own it: acknowledged writes of one are lost to the other. The lock is a file made
 * with O_EXCL holding the owner's pid; a lock whose process is gone (a crash, kill -9) is taken over.
 * It lies beside the folder (`data` → `data.lock`), not in it: PGlite takes a folder with anything in
 * it for a database it has made, and would not make a new one.
 */
import { open, readFile, rename, rm } from 'node:fs/promises';
import { resolve } from 'node:path';

export const lockFileOf = (dataDir: string): string => `${resolve(dataDir)}.lock`;

export class DataFolderInUse extends Error {
  override readonly name = 'DataFolderInUse';
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `the data folder ${dataDir} is in use by process ${pid}: stop it first, or give another OBSERVA_DATA_DIR`,
    );
  }
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists, it is only someone else's.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

const ownerOf = async (path: string): Promise<number | undefined> => {
  try {
    const pid = Number.parseInt(await readFile(path, 'utf8'), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
};

/** Takes the folder's lock, or throws DataFolderInUse naming the process that holds it. Returns the release. */
export const lockDataFolder = async (dataDir: string): Promise<() => Promise<void>> => {
  const path = lockFileOf(dataDir);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const file = await open(path, 'wx', 0o600);
      await file.writeFile(`${process.pid}\n`);
      await file.sync();
      await file.close();
      return () => rm(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = await ownerOf(path);
    if (owner !== undefined && owner !== process.pid && alive(owner))
      throw new DataFolderInUse(dataDir, owner);
    if (owner === process.pid) throw new DataFolderInUse(dataDir, owner);
    // Stale (its process is gone, or it was never written whole): move it aside under a name of our own,
    // so that of two processes taking over at once only one removes it.
    const aside = `${path}.stale-${process.pid}`;
    try {
      await rename(path, aside);
      await rm(aside, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  throw new DataFolderInUse(dataDir, (await ownerOf(path)) ?? 0);
};
