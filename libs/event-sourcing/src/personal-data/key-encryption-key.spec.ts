/** The KEK file on a real filesystem: written before use, replaced only by the version the database names. */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  destroyFile,
  KeyEncryptionKeyFile,
  KeyEncryptionKeyInMemory,
  KeyEncryptionKeyMissing,
  keyEncryptionKeyStoreFor,
  newKeyEncryptionKey,
} from './key-encryption-key.js';

describe('key-encryption key file', () => {
  let folder: string;
  let path: string;
  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'observa-kek-file-'));
    path = join(folder, 'keys', 'observa.kek');
  });
  afterEach(() => rm(folder, { recursive: true, force: true }));

  it('writes the successor beside the file, owner-only, and makes it current once settled', async () => {
    const file = new KeyEncryptionKeyFile(path);
    const first = newKeyEncryptionKey('ring', 1);
    await file.writeNext(first);
    expect((await stat(`${path}.next`)).mode & 0o777).toBe(0o600);
    await file.settle(first);
    expect(await file.read()).toEqual([first]);
    expect((await stat(path)).mode & 0o777).toBe(0o600);

    const second = newKeyEncryptionKey('ring', 2);
    await file.writeNext(second);
    expect(await file.read()).toEqual([first, second]);
    await file.settle(second);
    expect(await file.read()).toEqual([second]);
    expect(await readFile(path, 'utf8')).not.toContain(first.key.toString('base64'));
    await expect(stat(`${path}.next`)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('settling on the current version destroys a successor nothing refers to', async () => {
    const file = new KeyEncryptionKeyFile(path);
    const first = newKeyEncryptionKey('ring', 1);
    await file.writeNext(first);
    await file.settle(first);
    await file.writeNext(newKeyEncryptionKey('ring', 2));
    await file.settle(first);
    expect(await file.read()).toEqual([first]);
  });

  it('skips a file that holds no key (overwritten by a destruction a crash cut short)', async () => {
    const file = new KeyEncryptionKeyFile(path);
    const first = newKeyEncryptionKey('ring', 1);
    await file.writeNext(first);
    await file.settle(first);
    await writeFile(path, Buffer.alloc(120));
    expect(await file.read()).toEqual([]);
    await expect(file.settle(first)).rejects.toBeInstanceOf(KeyEncryptionKeyMissing);
  });

  it('destroying overwrites and removes, and a missing file is already destroyed', async () => {
    await writeFile(join(folder, 'secret'), 'the old key');
    await destroyFile(join(folder, 'secret'));
    await expect(stat(join(folder, 'secret'))).rejects.toMatchObject({ code: 'ENOENT' });
    await destroyFile(join(folder, 'secret'));
  });

  it('lives beside the embedded data folder, in memory for memory://, and must be named for a server', () => {
    expect(keyEncryptionKeyStoreFor({ dataDir: join(folder, 'data'), server: false }).describe).toBe(
      join(folder, 'data.kek'),
    );
    expect(keyEncryptionKeyStoreFor({ dataDir: 'memory://', server: false })).toBeInstanceOf(
      KeyEncryptionKeyInMemory,
    );
    expect(keyEncryptionKeyStoreFor({ kekFile: path, server: true }).describe).toBe(path);
    expect(() => keyEncryptionKeyStoreFor({ dataDir: './data', server: true })).toThrow(
      /OBSERVA_KEK_FILE must name the key-encryption key file/,
    );
  });
});
