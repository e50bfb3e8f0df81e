/** The vault on both databases the platform runs on: a real Postgres server and the embedded PGlite. */
import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Database } from '#eventstore-postgres';
import { TEST_DATABASES, type OpenedTestDatabase } from '#testing';
import { PostgresPersonalDataVault, sqlOnPool, transactionsOnPool, unwrapKey } from './postgres-vault.js';
import { InvalidEvent } from '../errors.js';
import { PersonErasedError, type SealedPersonalData } from './vault.js';
import {
  KeyEncryptionKeyFile,
  KeyEncryptionKeyMissing,
  type KeyEncryptionKey,
  type KeyEncryptionKeyStore,
} from './key-encryption-key.js';

const anna = {
  names: { latin: { given: 'Anna', family: 'Schmidt' } },
  identityDocument: { kind: 'passport', number: 'C01X00T47' },
};

const specsOn = (name: string, open: () => Promise<OpenedTestDatabase>) =>
  describe(`personal data vault (${name})`, () => {
    let database: Database;
    let cleanup: () => Promise<void>;
    let vault: PostgresPersonalDataVault;
    let folder: string;
    let kekFile: string;
    /** A vault as a (re)started process makes it: the same database and KEK file, nothing held in memory. */
    const started = async (keys: KeyEncryptionKeyStore = new KeyEncryptionKeyFile(kekFile)) => {
      const fresh = new PostgresPersonalDataVault(
        sqlOnPool(database.pool),
        transactionsOnPool(database.pool),
        keys,
      );
      await fresh.prepare();
      return fresh;
    };
    const kekOnDisk = async (path = kekFile): Promise<KeyEncryptionKey> => {
      const { keyring, version, key } = JSON.parse(await readFile(path, 'utf8'));
      return { keyring, version, key: Buffer.from(key, 'base64') };
    };
    const storedKey = async (personId: string) =>
      (
        await database.pool.query(
          'SELECT key, wrapped_key, kek_version FROM observa_person_keys WHERE person_id = $1',
          [personId],
        )
      ).rows[0] as { key: Buffer | null; wrapped_key: Buffer | null; kek_version: number | null };

    beforeAll(async () => {
      ({ database, cleanup } = await open());
      folder = await mkdtemp(join(tmpdir(), 'observa-kek-'));
      kekFile = join(folder, 'observa.kek');
      vault = await started();
      vault = await started(); // twice: a restart finds the tables and the KEK there
    });
    afterAll(async () => {
      await cleanup?.();
      await rm(folder, { recursive: true, force: true });
    });

    it('opens what it sealed', async () => {
      const personId = randomUUID();
      const sealed = await vault.encrypt(personId, anna);
      expect(sealed).toEqual({
        personId,
        alg: 'A256GCM',
        iv: expect.any(String),
        tag: expect.any(String),
        ciphertext: expect.any(String),
      });
      expect(await vault.decrypt(sealed)).toEqual(anna);
      expect(await vault.erasedAt(personId)).toBeNull();
    });

    it('refuses to seal what the read models could not hold once opened', async () => {
      const personId = randomUUID();
      const lone = { ...anna, contacts: [{ kind: 'email', value: 'anna@example.org\ud800' }] };
      await expect(vault.encrypt(personId, lone)).rejects.toThrow(InvalidEvent);
      await expect(vault.encrypt(personId, lone)).rejects.toThrow(
        'personal data at contacts.0.value contains a lone UTF-16 surrogate U+D800',
      );
      await expect(
        vault.encrypt(personId, { names: { latin: { given: 'An\u0000na', family: 'S' } } }),
      ).rejects.toThrow('personal data at names.latin.given contains a NUL character');
      // An emoji is a valid surrogate pair: sealed and opened whole.
      const emoji = { ...anna, names: { latin: { given: 'Anna 🗳️', family: 'Schmidt' } } };
      expect(await vault.decrypt(await vault.encrypt(personId, emoji))).toEqual(emoji);
    });

    it('seals so that no plaintext shows, with a fresh nonce each time', async () => {
      const personId = randomUUID();
      const first = await vault.encrypt(personId, anna);
      const second = await vault.encrypt(personId, anna);
      for (const sealed of [first, second]) {
        const text = JSON.stringify(sealed) + Buffer.from(sealed.ciphertext, 'base64').toString('latin1');
        for (const plain of ['Anna', 'Schmidt', 'C01X00T47', 'passport']) expect(text).not.toContain(plain);
      }
      expect(second.iv).not.toBe(first.iv);
      expect(second.ciphertext).not.toBe(first.ciphertext);
    });

    it('opens nothing once the person is erased, and keeps the moment of erasure', async () => {
      const personId = randomUUID();
      const sealed = await vault.encrypt(personId, anna);
      const { erasedAt } = await vault.erase(personId);
      expect(await vault.decrypt(sealed)).toBeNull();
      expect(await vault.erasedAt(personId)).toEqual(erasedAt);
      const again = await vault.erase(personId);
      expect(again.erasedAt).toEqual(erasedAt);
      expect(await storedKey(personId)).toEqual({ key: null, wrapped_key: null, kek_version: null });
      await expect(vault.encrypt(personId, anna)).rejects.toBeInstanceOf(PersonErasedError);
    });

    it('erasing one person leaves the others readable', async () => {
      const kept = randomUUID();
      const gone = randomUUID();
      const sealedKept = await vault.encrypt(kept, anna);
      await vault.encrypt(gone, anna);
      await vault.erase(gone);
      expect(await vault.decrypt(sealedKept)).toEqual(anna);
    });

    it('opens a page of sealed values at once, in order, the erased as null', async () => {
      const [a, b, gone] = [randomUUID(), randomUUID(), randomUUID()];
      const bob = { ...anna, names: { latin: { given: 'Bob', family: 'Wehrli' } } };
      const sealed = [
        await vault.encrypt(a, anna),
        await vault.encrypt(gone, anna),
        await vault.encrypt(b, bob),
        await vault.encrypt(a, bob),
      ];
      await vault.erase(gone);
      expect(await vault.decryptAll(sealed)).toEqual([anna, null, bob, bob]);
      expect(await vault.decryptAll([])).toEqual([]);
    });

    it('refuses a sealed value moved onto another person', async () => {
      const a = randomUUID();
      const b = randomUUID();
      const sealed = await vault.encrypt(a, anna);
      await vault.encrypt(b, anna);
      await expect(vault.decrypt({ ...sealed, personId: b })).rejects.toThrow();
    });

    it('records the erasure of someone never sealed for', async () => {
      const personId = randomUUID();
      await vault.erase(personId);
      expect(await vault.erasedAt(personId)).toBeInstanceOf(Date);
      await expect(vault.encrypt(personId, anna)).rejects.toBeInstanceOf(PersonErasedError);
    });

    it('keeps the key-encryption key outside the database, readable by its owner only', async () => {
      expect((await stat(kekFile)).mode & 0o777).toBe(0o600);
      const personId = randomUUID();
      const sealed = await vault.encrypt(personId, anna);
      const row = await storedKey(personId);
      expect(row.key).toBeNull();
      expect(row.wrapped_key).toHaveLength(60);
      // No 32 bytes of the row open the person; unwrapped with the KEK from the file, the key does.
      const windows = Array.from({ length: 29 }, (_, i) => row.wrapped_key!.subarray(i, i + 32));
      expect(windows.filter((key) => opens(key, sealed))).toEqual([]);
      const kek = await kekOnDisk();
      expect(row.kek_version).toBe(kek.version);
      expect(opens(unwrapKey(row.wrapped_key!, personId, kek), sealed)).toBe(true);
    });

    it('erasing destroys the key-encryption key the erased key was wrapped by, and re-wraps the living', async () => {
      const kept = randomUUID();
      const gone = randomUUID();
      const sealedKept = await vault.encrypt(kept, anna);
      const sealedGone = await vault.encrypt(gone, anna);
      const before = await kekOnDisk();
      const goneWrapped = (await storedKey(gone)).wrapped_key!; // what a dead row version keeps
      // Until the erasure, that old row version opens the person with the KEK of the day.
      expect(opens(unwrapKey(goneWrapped, gone, before), sealedGone)).toBe(true);

      await vault.erase(gone);

      const after = await kekOnDisk();
      expect(after.version).toBe(before.version + 1);
      expect(after.keyring).toBe(before.keyring);
      expect(after.key.equals(before.key)).toBe(false);
      await expect(stat(`${kekFile}.next`)).rejects.toMatchObject({ code: 'ENOENT' });
      expect(() => unwrapKey(goneWrapped, gone, after)).toThrow();
      expect(await storedKey(kept)).toMatchObject({ kek_version: after.version });
      expect(await vault.decrypt(sealedKept)).toEqual(anna);
      expect(await (await started()).decrypt(sealedKept)).toEqual(anna); // after a restart too
    });

    it('a rotation interrupted before its transaction committed: the old KEK stays, the erasure can be retried', async () => {
      const kept = randomUUID();
      const gone = randomUUID();
      const sealedKept = await vault.encrypt(kept, anna);
      await vault.encrypt(gone, anna);
      const before = await kekOnDisk();
      // Prepared (its tables migrated in a transaction of its own), then the connection fails.
      let connectionLost = false;
      const failing = new PostgresPersonalDataVault(
        sqlOnPool(database.pool),
        async (work) =>
          transactionsOnPool(database.pool)(async (sql) => {
            const done = await work(sql);
            if (connectionLost) throw new Error('connection lost before COMMIT');
            return done;
          }),
        new KeyEncryptionKeyFile(kekFile),
      );
      await failing.prepare();
      connectionLost = true;
      await expect(failing.erase(gone)).rejects.toThrow('connection lost before COMMIT');
      expect(await kekOnDisk()).toEqual(before);
      await expect(stat(`${kekFile}.next`)).rejects.toMatchObject({ code: 'ENOENT' });
      expect(await failing.erasedAt(gone)).toBeNull();

      // A crash right after writing the successor leaves a `.next` the database never referred to.
      await writeFile(
        `${kekFile}.next`,
        JSON.stringify({
          observa: 'kek',
          keyring: before.keyring,
          version: before.version + 1,
          key: randomBytes(32).toString('base64'),
        }),
      );
      vault = await started();
      await expect(stat(`${kekFile}.next`)).rejects.toMatchObject({ code: 'ENOENT' });
      expect(await vault.decrypt(sealedKept)).toEqual(anna);
      await vault.erase(gone);
      expect(await vault.erasedAt(gone)).toBeInstanceOf(Date);
      expect(await vault.decrypt(sealedKept)).toEqual(anna);
    });

    it('a rotation interrupted after its transaction committed: the next start destroys the old KEK', async () => {
      const kept = randomUUID();
      const gone = randomUUID();
      const sealedKept = await vault.encrypt(kept, anna);
      const sealedGone = await vault.encrypt(gone, anna);
      const before = await kekOnDisk();
      const goneWrapped = (await storedKey(gone)).wrapped_key!;
      const file = new KeyEncryptionKeyFile(kekFile);
      // The process dies after COMMIT, before the files are swapped: the old KEK and `.next` both remain.
      const dying: KeyEncryptionKeyStore = {
        describe: file.describe,
        read: () => file.read(),
        writeNext: (kek) => file.writeNext(kek),
        settle: async (kek) => {
          if (kek.version > before.version) throw new Error('power lost');
          await file.settle(kek);
        },
      };
      const doomed = await started(dying);
      await expect(doomed.erase(gone)).rejects.toThrow('power lost');
      expect(await kekOnDisk()).toEqual(before);
      const successor = await kekOnDisk(`${kekFile}.next`);
      expect(successor.version).toBe(before.version + 1);

      vault = await started();
      const now = await kekOnDisk();
      expect(now).toEqual(successor);
      await expect(stat(`${kekFile}.next`)).rejects.toMatchObject({ code: 'ENOENT' });
      expect((await readFile(kekFile)).includes(before.key.toString('base64'))).toBe(false);
      expect(await vault.decrypt(sealedKept)).toEqual(anna);
      expect(await vault.decrypt(sealedGone)).toBeNull();
      expect(() => unwrapKey(goneWrapped, gone, now)).toThrow();
    });

    it('a crash while the old KEK was being overwritten: the successor the database names wins', async () => {
      const kept = randomUUID();
      const sealedKept = await vault.encrypt(kept, anna);
      const gone = randomUUID();
      await vault.encrypt(gone, anna);
      const file = new KeyEncryptionKeyFile(kekFile);
      const dying: KeyEncryptionKeyStore = {
        describe: file.describe,
        read: () => file.read(),
        writeNext: (kek) => file.writeNext(kek),
        settle: async (kek) => {
          const current = await readFile(kekFile);
          if (kek.version > JSON.parse(current.toString('utf8')).version) {
            await writeFile(kekFile, Buffer.alloc(current.length)); // overwritten, not yet replaced
            throw new Error('power lost');
          }
          await file.settle(kek);
        },
      };
      await expect((await started(dying)).erase(gone)).rejects.toThrow('power lost');
      vault = await started();
      expect(await vault.decrypt(sealedKept)).toEqual(anna);
      expect(await vault.erasedAt(gone)).toBeInstanceOf(Date);
    });

    it('refuses to start without the KEK its keys are wrapped with', async () => {
      const elsewhere = new KeyEncryptionKeyFile(join(folder, 'another.kek'));
      await expect(started(elsewhere)).rejects.toBeInstanceOf(KeyEncryptionKeyMissing);
      await expect(started(elsewhere)).rejects.toThrow(/does not hold version \d+ of keyring/);
    });

    it('wraps the keys an earlier version stored in the clear', async () => {
      const personId = randomUUID();
      const key = randomBytes(32);
      await database.pool.query('INSERT INTO observa_person_keys (person_id, key) VALUES ($1, $2)', [
        personId,
        key,
      ]);
      const sealed = sealWith(key, personId, anna);
      vault = await started();
      const row = await storedKey(personId);
      expect(row.key).toBeNull();
      expect(row.wrapped_key).toHaveLength(60);
      expect(await vault.decrypt(sealed)).toEqual(anna);
    });
  });

/** Whether `key` opens `sealed` whole (AES-256-GCM, the vault's binding of the person). */
const opens = (key: Buffer, sealed: SealedPersonalData): boolean => {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
    decipher.setAAD(Buffer.from(`observa-person:${sealed.personId}`, 'utf8'));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    decipher.update(Buffer.from(sealed.ciphertext, 'base64'));
    decipher.final();
    return true;
  } catch {
    return false;
  }
};

/** What an earlier version of the vault sealed, with a key it stored in the clear. */
const sealWith = (key: Buffer, personId: string, value: unknown): SealedPersonalData => {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(`observa-person:${personId}`, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return {
    personId,
    alg: 'A256GCM',
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    ciphertext: ciphertext.toString('base64'),
  };
};

for (const [name, open] of TEST_DATABASES) specsOn(name, open);
