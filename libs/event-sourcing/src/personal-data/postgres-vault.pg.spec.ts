/** The vault on both databases the platform runs on: a real Postgres server and the embedded PGlite. */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { openDatabase, type Database } from '#eventstore-postgres';
import { createTestDatabase, type TestDatabase } from '#testing';
import { PostgresPersonalDataVault, sqlOnPool } from './postgres-vault.js';
import { InvalidEvent } from '../errors.js';
import { PersonErasedError } from './vault.js';

const anna = {
  names: { latin: { given: 'Anna', family: 'Schmidt' } },
  identityDocument: { kind: 'passport', number: 'C01X00T47' },
};

const specsOn = (name: string, open: () => Promise<{ database: Database; cleanup: () => Promise<void> }>) =>
  describe(`personal data vault (${name})`, () => {
    let database: Database;
    let cleanup: () => Promise<void>;
    let vault: PostgresPersonalDataVault;

    beforeAll(async () => {
      ({ database, cleanup } = await open());
      vault = new PostgresPersonalDataVault(sqlOnPool(database.pool));
      await vault.prepare();
      await vault.prepare(); // twice: a restart finds the table there
    });
    afterAll(() => cleanup?.());

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
      const { rows } = await database.pool.query('SELECT key FROM observa_person_keys WHERE person_id = $1', [
        personId,
      ]);
      expect(rows).toEqual([{ key: null }]);
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
  });

specsOn('Postgres server', async () => {
  const testDb: TestDatabase = await createTestDatabase();
  const database = await openDatabase({ url: testDb.url, maxConnections: 4 });
  return {
    database,
    cleanup: async () => {
      await database.close();
      await testDb.drop();
    },
  };
});

specsOn('PGlite', async () => {
  const database = await openDatabase({ dataDir: 'memory://' });
  return { database, cleanup: () => database.close() };
});
