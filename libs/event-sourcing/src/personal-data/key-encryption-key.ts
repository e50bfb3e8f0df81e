/**
 * The key-encryption key (KEK): the one secret kept outside the database. Person keys are stored only
 * wrapped by it, so the database (its dead row versions and WAL included) never holds a usable key.
 *
 * On disk it is a small JSON file of mode 0600 (`OBSERVA_KEK_FILE`), plus, while a rotation is under
 * way, its successor at `<file>.next`. Each KEK has a version; the database records which version is
 * current, so at start the file that matches the database wins and any other is destroyed.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

export type KeyEncryptionKey = {
  /** Binds the file to its database: a KEK of another database is refused, never used. */
  readonly keyring: string;
  readonly version: number;
  readonly key: Buffer;
};

/** The KEK the database needs is not where the configuration says: personal data cannot be opened. */
export class KeyEncryptionKeyMissing extends Error {
  override readonly name = 'KeyEncryptionKeyMissing';
}

export const newKeyEncryptionKey = (keyring: string, version: number): KeyEncryptionKey => ({
  keyring,
  version,
  key: randomBytes(32),
});

/** Where the KEKs of one database live: a file on disk, or (memory:// databases) nowhere but here. */
export interface KeyEncryptionKeyStore {
  readonly describe: string;
  /** Every KEK found (current and next), unreadable files left out. */
  read(): Promise<KeyEncryptionKey[]>;
  /** Writes the successor durably, before the database may refer to it. */
  writeNext(kek: KeyEncryptionKey): Promise<void>;
  /** The database now refers to `kek` only: it becomes the current file, every other one is destroyed. */
  settle(kek: KeyEncryptionKey): Promise<void>;
}

const parse = (text: string): KeyEncryptionKey | null => {
  try {
    const value = JSON.parse(text) as {
      observa?: unknown;
      keyring?: unknown;
      version?: unknown;
      key?: unknown;
    };
    if (value.observa !== 'kek' || typeof value.keyring !== 'string' || typeof value.key !== 'string')
      return null;
    if (!Number.isSafeInteger(value.version)) return null;
    const key = Buffer.from(value.key, 'base64');
    return key.length === 32 ? { keyring: value.keyring, version: value.version as number, key } : null;
  } catch {
    return null;
  }
};

const serialise = (kek: KeyEncryptionKey): string =>
  `${JSON.stringify({ observa: 'kek', keyring: kek.keyring, version: kek.version, key: kek.key.toString('base64') })}\n`;

const syncFolder = async (folder: string): Promise<void> => {
  const handle = await open(folder, constants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
};

const exists = async (path: string): Promise<boolean> => {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
};

/**
 * Overwrites the file's bytes where they are, syncs, then removes it. On filesystems that write in
 * place (ext4, xfs without reflinks) the old key is gone from the disk; on copy-on-write or journaled
 * data filesystems and SSD remapping it may survive in freed blocks (README, "What erasure guarantees").
 */
export const destroyFile = async (path: string): Promise<void> => {
  if (!(await exists(path))) return;
  const handle = await open(path, constants.O_WRONLY);
  try {
    const { size } = await handle.stat();
    await handle.write(Buffer.alloc(Math.max(size, 1)), 0, Math.max(size, 1), 0);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rm(path);
  await syncFolder(dirname(path));
};

export class KeyEncryptionKeyFile implements KeyEncryptionKeyStore {
  constructor(readonly path: string) {}

  get describe(): string {
    return this.path;
  }

  private get nextPath(): string {
    return `${this.path}.next`;
  }

  async read(): Promise<KeyEncryptionKey[]> {
    const found: KeyEncryptionKey[] = [];
    for (const path of [this.path, this.nextPath]) {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw error;
      }
      const kek = parse(text);
      if (kek) found.push(kek);
    }
    return found;
  }

  async writeNext(kek: KeyEncryptionKey): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    // A leftover successor belongs to a rotation the database never committed: nothing refers to it.
    await destroyFile(this.nextPath);
    const handle = await open(
      this.nextPath,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL,
      0o600,
    );
    try {
      await handle.writeFile(serialise(kek));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await syncFolder(dirname(this.path));
  }

  async settle(kek: KeyEncryptionKey): Promise<void> {
    const current = parse(await readFile(this.path, 'utf8').catch(() => ''));
    const next = parse(await readFile(this.nextPath, 'utf8').catch(() => ''));
    if (next && next.keyring === kek.keyring && next.version === kek.version) {
      // The old KEK is overwritten first: a crash before the rename leaves the successor, which wins at start.
      await destroyFile(this.path);
      await rename(this.nextPath, this.path);
      await syncFolder(dirname(this.path));
      return;
    }
    if (current && current.keyring === kek.keyring && current.version === kek.version) {
      await destroyFile(this.nextPath);
      return;
    }
    throw new KeyEncryptionKeyMissing(
      `${this.path} does not hold version ${kek.version} of the key-encryption key`,
    );
  }
}

/** For `memory://` databases: the KEK dies with the process, as the database does. */
export class KeyEncryptionKeyInMemory implements KeyEncryptionKeyStore {
  readonly describe = 'memory';
  private keys: KeyEncryptionKey[] = [];

  async read(): Promise<KeyEncryptionKey[]> {
    return [...this.keys];
  }

  async writeNext(kek: KeyEncryptionKey): Promise<void> {
    this.keys = [...this.keys.filter((k) => k.version !== kek.version), kek];
  }

  async settle(kek: KeyEncryptionKey): Promise<void> {
    for (const old of this.keys) if (old !== kek) old.key.fill(0);
    this.keys = [kek];
  }
}

/**
 * Where a process keeps its KEK: the configured file; for the embedded store, next to its data folder
 * (`./data` → `./data.kek`: outside the folder, so a copy of the folder alone opens nothing); for a
 * `memory://` store, in memory. A Postgres server needs the file named: no default can be right for
 * every process that shares the server's database.
 */
export const keyEncryptionKeyStoreFor = (where: {
  readonly kekFile?: string;
  readonly dataDir?: string;
  readonly server: boolean;
}): KeyEncryptionKeyStore => {
  if (where.kekFile) return new KeyEncryptionKeyFile(resolve(where.kekFile));
  if (!where.server && where.dataDir?.startsWith('memory://')) return new KeyEncryptionKeyInMemory();
  if (!where.server && where.dataDir) return new KeyEncryptionKeyFile(`${resolve(where.dataDir)}.kek`);
  throw new KeyEncryptionKeyMissing(
    'OBSERVA_KEK_FILE must name the key-encryption key file (made on first start, mode 0600) when the store is a Postgres server (DATABASE_URL)',
  );
};
