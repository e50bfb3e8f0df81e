/**
 * Password hashes with scrypt (memory-hard, in Node without a native add-on), encoded as
 * `scrypt$N$r$p$salt$hash` (salt and hash in unpadded base64url). Verification reads the cost from the
 * encoding, so hashes made under an older cost keep verifying after the cost is raised.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export type ScryptCost = { readonly N: number; readonly r: number; readonly p: number };

/**
 * 2^15 · 8 · 128 bytes = 32 MiB per check. OWASP's current floor is higher (N=2^17, r=8, p=1, or at
 * N=2^15 p=3); raising this is safe at any time: old hashes keep verifying and `needsRehash` says which to redo.
 */
export const SCRYPT_COST: ScryptCost = { N: 2 ** 15, r: 8, p: 1 };

const SALT_BYTES = 16;
const HASH_BYTES = 32;
/** What an encoding may ask for; more is a corrupt or hostile hash, not a reason to allocate gigabytes. */
const MAX_N = 2 ** 20;
const MAX_R = 32;
const MAX_P = 16;

/** scrypt needs 128·N·r bytes; Node refuses at its 32 MiB default, which is exactly our cost. */
const maxmemFor = ({ N, r, p }: ScryptCost): number => 128 * N * r * p + 16 * 1024 * 1024;

const derive = (password: string, salt: Buffer, cost: ScryptCost, length: number): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const options: ScryptOptions = { N: cost.N, r: cost.r, p: cost.p, maxmem: maxmemFor(cost) };
    // NFKC: the same password typed on another keyboard or OS (composed vs decomposed accents) must match.
    scrypt(password.normalize('NFKC'), salt, length, options, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });

export const hashPassword = async (password: string, cost: ScryptCost = SCRYPT_COST): Promise<string> => {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt, cost, HASH_BYTES);
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64url'), hash.toString('base64url')].join('$');
};

type Decoded = { readonly cost: ScryptCost; readonly salt: Buffer; readonly hash: Buffer };

const isPowerOfTwo = (n: number): boolean => Number.isInteger(n) && n > 1 && (n & (n - 1)) === 0;

const decode = (encoded: string): Decoded | undefined => {
  const parts = encoded.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  const salt = Buffer.from(parts[4], 'base64url');
  const hash = Buffer.from(parts[5], 'base64url');
  const sane =
    isPowerOfTwo(N) &&
    N <= MAX_N &&
    Number.isInteger(r) &&
    r >= 1 &&
    r <= MAX_R &&
    Number.isInteger(p) &&
    p >= 1 &&
    p <= MAX_P &&
    salt.length >= SALT_BYTES &&
    hash.length >= 16;
  return sane ? { cost: { N, r, p }, salt, hash } : undefined;
};

/**
 * Does the password match the encoded hash? Compares in constant time.
 * @throws Error when `encoded` is not a hash this module made: a corrupt store, not a wrong password
 */
export const verifyPassword = async (password: string, encoded: string): Promise<boolean> => {
  const decoded = decode(encoded);
  if (!decoded) throw new Error('not an scrypt password hash');
  const candidate = await derive(password, decoded.salt, decoded.cost, decoded.hash.length);
  return timingSafeEqual(candidate, decoded.hash);
};

/** What unknown users are checked against: today's cost, and an all-zero hash no password one could find matches. */
export const NOBODY_HASH = [
  'scrypt',
  SCRYPT_COST.N,
  SCRYPT_COST.r,
  SCRYPT_COST.p,
  Buffer.alloc(SALT_BYTES).toString('base64url'),
  Buffer.alloc(HASH_BYTES).toString('base64url'),
].join('$');

/**
 * For a login with an email no account has: spends the time a real check would, then says no,
 * so that the answer's timing does not tell which emails have accounts.
 */
export const verifyNobody = async (password: string): Promise<false> => {
  await verifyPassword(password, NOBODY_HASH);
  return false;
};

/** True when the hash was made under another cost than today's: re-hash it at the next successful login. */
export const needsRehash = (encoded: string, cost: ScryptCost = SCRYPT_COST): boolean => {
  const decoded = decode(encoded);
  return !decoded || decoded.cost.N !== cost.N || decoded.cost.r !== cost.r || decoded.cost.p !== cost.p;
};
