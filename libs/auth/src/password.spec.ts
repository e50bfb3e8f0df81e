import { describe, expect, it } from '@jest/globals';
import {
  hashPassword,
  needsRehash,
  NOBODY_HASH,
  SCRYPT_COST,
  verifyNobody,
  verifyPassword,
} from './password.js';

/** A cheap cost for the specs that are about the encoding, not the cost. */
const CHEAP = { N: 2 ** 10, r: 8, p: 1 };

describe('passwords', () => {
  it('hashes with scrypt at the configured cost, a fresh 16-byte salt each time', async () => {
    const first = await hashPassword('correct horse battery staple');
    const second = await hashPassword('correct horse battery staple');
    const [scheme, N, r, p, salt, hash] = first.split('$');
    expect({ scheme, N: Number(N), r: Number(r), p: Number(p) }).toEqual({
      scheme: 'scrypt',
      ...SCRYPT_COST,
    });
    expect(SCRYPT_COST).toEqual({ N: 2 ** 15, r: 8, p: 1 });
    expect(Buffer.from(salt, 'base64url')).toHaveLength(16);
    expect(Buffer.from(hash, 'base64url')).toHaveLength(32);
    expect(second).not.toBe(first);
  });

  it('verifies the right password and not a wrong one', async () => {
    const hash = await hashPassword('correct horse battery staple');
    await expect(verifyPassword('correct horse battery staple', hash)).resolves.toBe(true);
    await expect(verifyPassword('correct horse battery stapler', hash)).resolves.toBe(false);
    await expect(verifyPassword('Correct horse battery staple', hash)).resolves.toBe(false);
    await expect(verifyPassword('', hash)).resolves.toBe(false);
  });

  it('matches a password however its accents were composed', async () => {
    const hash = await hashPassword('Bishkek-Kant\u00e9', CHEAP);
    await expect(verifyPassword('Bishkek-Kante\u0301', hash)).resolves.toBe(true);
  });

  it('verifies a hash made under another cost, and says it needs redoing', async () => {
    const old = await hashPassword('correct horse battery staple', CHEAP);
    await expect(verifyPassword('correct horse battery staple', old)).resolves.toBe(true);
    expect(needsRehash(old)).toBe(true);
    expect(needsRehash(await hashPassword('x'))).toBe(false);
  });

  it.each([
    ['not a hash at all', 'hunter2'],
    ['another scheme', '$2b$12$abcdefghijklmnopqrstuv'],
    [
      'a cost that is not a power of two',
      'scrypt$30000$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    ],
    [
      'a cost that would take gigabytes',
      'scrypt$16777216$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    ],
    ['a short salt', 'scrypt$1024$8$1$AAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
  ])('refuses to verify against %s: a corrupt store is not a wrong password', async (_, encoded) => {
    await expect(verifyPassword('hunter2', encoded)).rejects.toThrow('not an scrypt password hash');
  });

  it('checks a login for an unknown email at the same cost as a real one, and says no', async () => {
    expect(needsRehash(NOBODY_HASH)).toBe(false);
    await expect(verifyNobody('correct horse battery staple')).resolves.toBe(false);
    await expect(verifyNobody('')).resolves.toBe(false);
  });
});
