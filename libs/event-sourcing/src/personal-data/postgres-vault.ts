/**
 * The vault on the process's Postgres (server or embedded PGlite): one row per person in
 * `observa_person_keys`. Erasing clears the key and keeps the row, so the moment of erasure stays
 * provable.
 *
 * Why the keys are wrapped, and the wrapping key rotated at each erasure: clearing a column does not
 * remove the old value from disk. Postgres keeps the previous row version until VACUUM reuses its space
 * and writes it to the WAL, which lives on in segments and archives; on PGlite the same happens inside
 * the data folder. So the database never holds a person key in the clear: it holds it wrapped
 * (AES-256-GCM) by the key-encryption key (KEK), which lives in a file outside the database. Erasing a
 * person makes a new KEK, re-wraps every other live person key under it in the transaction that clears
 * the erased one, and then destroys the old KEK. Whatever old row versions or WAL still hold of the
 * erased person is their key wrapped by a KEK that no longer exists anywhere: it cannot be unwrapped.
 *
 * Crash safety, in order: (1) the new KEK is written to `<kek>.next` and synced; (2) one transaction
 * clears the erased key, re-wraps all live keys and records the new KEK version in
 * `observa_key_encryption_key`; (3) the old KEK file is overwritten, synced and replaced by the new one.
 * The database's recorded version decides at start which file is right: a crash before (2) commits
 * leaves the old version recorded (the `.next` file is destroyed, the erase was never acknowledged and
 * is retried); a crash after leaves the new one (the old file is destroyed). No live key is ever wrapped
 * by a KEK that is not on disk.
 */
import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import { InvalidEvent } from '../errors.js';
import { applyMigrations, type MigrationSet } from '../migrations.js';
import { findUnstorableJson, MAX_JSON_DEPTH } from '../storable-json.js';
import {
  KeyEncryptionKeyMissing,
  newKeyEncryptionKey,
  type KeyEncryptionKey,
  type KeyEncryptionKeyStore,
} from './key-encryption-key.js';
import { PersonErasedError, type PersonalDataVault, type SealedPersonalData } from './vault.js';

/** Runs one statement and answers its rows: `pool.query(...).rows`, or TypeORM's `manager.query`. */
export type SqlRunner = (text: string, values?: readonly unknown[]) => Promise<Record<string, unknown>[]>;

/** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
export type TransactionRunner = <T>(work: (sql: SqlRunner) => Promise<T>) => Promise<T>;

type PgClient = { query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }> };

/** Anything with pg's `query` (a Pool, a Client). */
export const sqlOnPool =
  (pool: PgClient): SqlRunner =>
  async (text, values) =>
    (await pool.query(text, values ? [...values] : undefined)).rows;

/** Transactions on a pg Pool: a client checked out for the whole transaction. */
export const transactionsOnPool =
  (pool: { connect(): Promise<PgClient & { release(error?: Error | boolean): void }> }): TransactionRunner =>
  async (work) => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(sqlOnPool(client));
      await client.query('COMMIT');
      client.release();
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release();
      throw error;
    }
  };

/**
 * The vault's tables. IF NOT EXISTS: databases from before the migration runner have them, some from
 * before keys were wrapped (their plaintext `key` is wrapped and cleared by prepare()).
 */
export const PERSONAL_DATA_TABLES: MigrationSet = {
  owner: 'personal-data',
  migrations: [
    {
      version: 1,
      name: 'person keys and the key-encryption key',
      sql: [
        `CREATE TABLE IF NOT EXISTS observa_person_keys (
    person_id   uuid PRIMARY KEY,
    key         bytea NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    erased_at   timestamptz NULL,
    wrapped_key bytea NULL,
    kek_version integer NULL,
    CONSTRAINT observa_person_keys_erased_has_no_key CHECK (erased_at IS NULL OR key IS NULL),
    CONSTRAINT observa_person_keys_erased_has_no_wrapped_key CHECK (erased_at IS NULL OR wrapped_key IS NULL)
  )`,
        'ALTER TABLE observa_person_keys ADD COLUMN IF NOT EXISTS wrapped_key bytea NULL',
        'ALTER TABLE observa_person_keys ADD COLUMN IF NOT EXISTS kek_version integer NULL',
        `CREATE TABLE IF NOT EXISTS observa_key_encryption_key (
    one     boolean PRIMARY KEY DEFAULT true CHECK (one),
    keyring uuid NOT NULL,
    version integer NOT NULL
  )`,
      ].join(';\n'),
    },
  ],
};

const ALG = 'aes-256-gcm';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type KeyRow = { wrapped_key: Buffer | null; kek_version: number | null; erased_at: Date | null };

const assertPersonId = (personId: string): void => {
  if (!UUID.test(personId)) throw new TypeError(`a person id must be a UUID: ${personId}`);
};

/** The person id is bound into the ciphertext: a sealed value moved onto another person does not open. */
const aad = (personId: string): Buffer => Buffer.from(`observa-person:${personId.toLowerCase()}`, 'utf8');

/** A wrapped key is bound to its person and KEK version: moved onto another row, it does not unwrap. */
const wrapAad = (personId: string, version: number): Buffer =>
  Buffer.from(`observa-person-key:${personId.toLowerCase()}:v${version}`, 'utf8');

/** iv (12) | tag (16) | wrapped key (32). */
export const wrapKey = (personKey: Buffer, personId: string, kek: KeyEncryptionKey): Buffer => {
  const iv = randomBytes(12);
  const cipher = createCipheriv(ALG, kek.key, iv);
  cipher.setAAD(wrapAad(personId, kek.version));
  const wrapped = Buffer.concat([cipher.update(personKey), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), wrapped]);
};

export const unwrapKey = (wrapped: Buffer, personId: string, kek: KeyEncryptionKey): Buffer => {
  const decipher = createDecipheriv(ALG, kek.key, wrapped.subarray(0, 12));
  decipher.setAAD(wrapAad(personId, kek.version));
  decipher.setAuthTag(wrapped.subarray(12, 28));
  return Buffer.concat([decipher.update(wrapped.subarray(28)), decipher.final()]);
};

/**
 * The KEKs this process holds: the current one, and while an erasure commits, its successor too. One erasure or key creation at a time: a key wrapped under a
 * KEK that an erasure is about to destroy would be lost.
 */
class KeyRing {
  private held = new Map<number, KeyEncryptionKey>();
  private current: KeyEncryptionKey | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly store: KeyEncryptionKeyStore) {}

  get kek(): KeyEncryptionKey {
    if (!this.current) throw new Error('the personal data vault was not prepared');
    return this.current;
  }

  byVersion(version: number): KeyEncryptionKey | undefined {
    return this.held.get(version);
  }

  hold(kek: KeyEncryptionKey): void {
    this.held.set(kek.version, kek);
  }

  /** `kek` is the only one the database refers to now: the others are forgotten. */
  settle(kek: KeyEncryptionKey): void {
    for (const [version, old] of this.held)
      if (version !== kek.version) {
        old.key.fill(0);
        this.held.delete(version);
      }
    this.held.set(kek.version, kek);
    this.current = kek;
  }

  exclusively<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

export class PostgresPersonalDataVault implements PersonalDataVault {
  private readonly ring: KeyRing;

  /**
   * @param sql runs the vault's statements
   * @param transactions runs an erasure's statements in one transaction (on the pool, not inside a caller's)
   * @param keys where the key-encryption key lives (a file, or memory for memory:// databases)
   */
  constructor(
    private readonly sql: SqlRunner,
    private readonly transactions: TransactionRunner,
    keys: KeyEncryptionKeyStore,
  ) {
    this.ring = new KeyRing(keys);
  }

  /**
   * Creates the tables when missing, loads the KEK the database refers to (making the first one on a
   * new database), finishes a rotation a crash interrupted, and wraps keys stored before wrapping existed.
   * @throws KeyEncryptionKeyMissing when the KEK file does not hold the version the database needs
   */
  async prepare(): Promise<void> {
    await this.transactions((sql) => applyMigrations(sql, [PERSONAL_DATA_TABLES]));
    await this.ring.exclusively(async () => {
      const found = await this.ring.store.read();
      const [recorded] = (await this.sql('SELECT keyring, version FROM observa_key_encryption_key')) as {
        keyring: string;
        version: number;
      }[];
      let kek: KeyEncryptionKey;
      if (recorded) {
        const match = found.find((k) => k.keyring === recorded.keyring && k.version === recorded.version);
        if (!match)
          throw new KeyEncryptionKeyMissing(
            `the key-encryption key ${this.ring.store.describe} does not hold version ${recorded.version} of ` +
              `keyring ${recorded.keyring}, which this database's person keys are wrapped with`,
          );
        kek = match;
      } else {
        // A new database: a KEK left by a database that was removed is taken over, never overwritten.
        kek = found.sort((a, b) => b.version - a.version)[0] ?? newKeyEncryptionKey(randomUUID(), 1);
        if (!found.includes(kek)) await this.ring.store.writeNext(kek);
        await this.sql(
          'INSERT INTO observa_key_encryption_key (keyring, version) VALUES ($1, $2) ON CONFLICT DO NOTHING',
          [kek.keyring, kek.version],
        );
      }
      await this.ring.store.settle(kek);
      this.ring.settle(kek);
      await this.wrapLegacyKeys(kek);
    });
  }

  async encrypt(personId: string, value: unknown): Promise<SealedPersonalData> {
    assertPersonId(personId);
    // The store never sees inside the ciphertext, but the read models open it again: refuse here what
    // their queries could not hand back, or a projection would stall on it later.
    const unstorable = findUnstorableJson(value, MAX_JSON_DEPTH);
    if (unstorable)
      throw new InvalidEvent(
        `personal data at ${unstorable.path.join('.') || '(top)'} ${unstorable.problem}`,
      );
    const key = (await this.keyOf(personId)) ?? (await this.makeKey(personId));
    try {
      const iv = randomBytes(12);
      const cipher = createCipheriv(ALG, key, iv);
      cipher.setAAD(aad(personId));
      const ciphertext = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
      return {
        personId,
        alg: 'A256GCM',
        iv: iv.toString('base64'),
        tag: cipher.getAuthTag().toString('base64'),
        ciphertext: ciphertext.toString('base64'),
      };
    } finally {
      key.fill(0);
    }
  }

  async decrypt<T = unknown>(sealed: SealedPersonalData): Promise<T | null> {
    return (await this.decryptAll<T>([sealed]))[0];
  }

  async decryptAll<T = unknown>(sealed: readonly SealedPersonalData[]): Promise<(T | null)[]> {
    for (const one of sealed) {
      assertPersonId(one.personId);
      if (one.alg !== 'A256GCM') throw new TypeError(`unknown algorithm ${String(one.alg)}`);
    }
    const keys = await this.keysOf([...new Set(sealed.map((one) => one.personId.toLowerCase()))]);
    try {
      return sealed.map((one) => {
        const key = keys.get(one.personId.toLowerCase());
        if (!key) return null;
        const decipher = createDecipheriv(ALG, key, Buffer.from(one.iv, 'base64'));
        decipher.setAAD(aad(one.personId));
        decipher.setAuthTag(Buffer.from(one.tag, 'base64'));
        const plain = Buffer.concat([
          decipher.update(Buffer.from(one.ciphertext, 'base64')),
          decipher.final(),
        ]);
        return JSON.parse(plain.toString('utf8')) as T;
      });
    } finally {
      for (const key of keys.values()) key.fill(0);
    }
  }

  async erase(personId: string): Promise<{ readonly erasedAt: Date }> {
    assertPersonId(personId);
    return this.ring.exclusively(async () => {
      const already = await this.erasedAt(personId);
      if (already) return { erasedAt: already };
      const old = this.ring.kek;
      const next = newKeyEncryptionKey(old.keyring, old.version + 1);
      await this.ring.store.writeNext(next);
      this.ring.hold(next);
      let erasedAt: Date;
      try {
        erasedAt = await this.transactions(async (sql) => {
          const [recorded] = await sql('SELECT version FROM observa_key_encryption_key FOR UPDATE');
          if (recorded?.version !== old.version)
            throw new KeyEncryptionKeyMissing(
              `another process rotated the key-encryption key (version ${String(recorded?.version)}, this one holds ${old.version})`,
            );
          // A person never sealed for is still recorded as erased: a later encrypt for them is refused.
          const [row] = await sql(
            `INSERT INTO observa_person_keys AS k (person_id, erased_at) VALUES ($1, now())
             ON CONFLICT (person_id) DO UPDATE
               SET key = NULL, wrapped_key = NULL, kek_version = NULL, erased_at = COALESCE(k.erased_at, now())
             RETURNING erased_at`,
            [personId],
          );
          await this.rewrapAll(sql, next);
          await sql('UPDATE observa_key_encryption_key SET version = $1', [next.version]);
          return new Date(row.erased_at as Date | string);
        });
      } catch (error) {
        // Which KEK the database refers to decides which file goes (a COMMIT whose answer was lost did
        // happen); when the database cannot say, both stay and the next start settles it.
        const [recorded] = await this.sql('SELECT version FROM observa_key_encryption_key').catch(() => []);
        if (recorded?.version === old.version) {
          await this.ring.store.settle(old); // the successor wraps nothing: destroyed
          this.ring.settle(old);
        }
        if (recorded?.version !== next.version) throw error;
        erasedAt = (await this.erasedAt(personId)) ?? new Date();
      }
      await this.ring.store.settle(next);
      this.ring.settle(next);
      return { erasedAt };
    });
  }

  /** When the person was erased, or null while they are not. */
  async erasedAt(personId: string): Promise<Date | null> {
    assertPersonId(personId);
    const [row] = await this.sql('SELECT erased_at FROM observa_person_keys WHERE person_id = $1', [
      personId,
    ]);
    return row?.erased_at ? new Date(row.erased_at as Date | string) : null;
  }

  /** The keys of those who have one and are not erased, unwrapped, by lower-case person id. */
  private async keysOf(personIds: readonly string[]): Promise<Map<string, Buffer>> {
    const keys = new Map<string, Buffer>();
    if (personIds.length === 0) return keys;
    for (let attempt = 0; ; attempt++) {
      const rows = (await this.sql(
        `SELECT person_id, wrapped_key, kek_version FROM observa_person_keys
         WHERE person_id = ANY($1::uuid[]) AND wrapped_key IS NOT NULL AND erased_at IS NULL`,
        [personIds],
      )) as (KeyRow & { person_id: string })[];
      // Read just before an erasure's rotation committed: the rows now hold the keys under the new KEK.
      if (rows.some((row) => !this.ring.byVersion(row.kek_version!)) && attempt === 0) continue;
      for (const row of rows) {
        const kek = this.ring.byVersion(row.kek_version!);
        if (!kek)
          throw new KeyEncryptionKeyMissing(`no key-encryption key of version ${row.kek_version} is held`);
        keys.set(row.person_id.toLowerCase(), unwrapKey(row.wrapped_key!, row.person_id, kek));
      }
      return keys;
    }
  }

  /** The person's key, unwrapped; undefined when they have none yet. */
  private async keyOf(personId: string): Promise<Buffer | undefined> {
    for (let attempt = 0; ; attempt++) {
      const [row] = (await this.sql(
        'SELECT wrapped_key, kek_version, erased_at FROM observa_person_keys WHERE person_id = $1',
        [personId],
      )) as KeyRow[];
      if (!row) return undefined;
      if (row.erased_at || !row.wrapped_key || row.kek_version === null)
        throw new PersonErasedError(personId);
      const kek = this.ring.byVersion(row.kek_version);
      if (kek) return unwrapKey(row.wrapped_key, personId, kek);
      // Read just before an erasure's rotation committed: the row now holds the key under the new KEK.
      if (attempt > 0)
        throw new KeyEncryptionKeyMissing(`no key-encryption key of version ${row.kek_version} is held`);
    }
  }

  private makeKey(personId: string): Promise<Buffer> {
    return this.ring.exclusively(async () => {
      const key = randomBytes(32);
      const kek = this.ring.kek;
      // Two writers may race to make the first key: the loser's insert does nothing and both read the
      // winner's. The insert happens only while `kek` is still the recorded one (FOR SHARE waits for a
      // rotation in another process and then sees its new version): a key is never wrapped under a KEK
      // about to be destroyed.
      const inserted = await this.sql(
        `INSERT INTO observa_person_keys (person_id, wrapped_key, kek_version)
         SELECT $1, $2, version FROM observa_key_encryption_key WHERE version = $3 FOR SHARE
         ON CONFLICT (person_id) DO NOTHING RETURNING person_id`,
        [personId, wrapKey(key, personId, kek), kek.version],
      );
      key.fill(0);
      const stored = await this.keyOf(personId);
      if (!stored)
        throw new KeyEncryptionKeyMissing(
          `the key-encryption key changed under this process (${inserted.length} keys made): restart it`,
        );
      return stored;
    });
  }

  /** Every live person key, unwrapped by the KEK it is under and wrapped again by `next`. */
  private async rewrapAll(sql: SqlRunner, next: KeyEncryptionKey): Promise<void> {
    const live = (await sql(
      `SELECT person_id, wrapped_key, kek_version FROM observa_person_keys
       WHERE wrapped_key IS NOT NULL FOR UPDATE`,
    )) as { person_id: string; wrapped_key: Buffer; kek_version: number }[];
    const ids: string[] = [];
    const wrapped: Buffer[] = [];
    for (const row of live) {
      const kek = this.ring.byVersion(row.kek_version);
      if (!kek)
        throw new KeyEncryptionKeyMissing(
          `person ${row.person_id}'s key is wrapped by version ${row.kek_version}, which is not held`,
        );
      const key = unwrapKey(row.wrapped_key, row.person_id, kek);
      ids.push(row.person_id);
      wrapped.push(wrapKey(key, row.person_id, next));
      key.fill(0);
    }
    for (let from = 0; from < ids.length; from += 1000)
      await sql(
        `UPDATE observa_person_keys AS k SET wrapped_key = u.wrapped_key, kek_version = $3
         FROM unnest($1::uuid[], $2::bytea[]) AS u(person_id, wrapped_key) WHERE k.person_id = u.person_id`,
        [ids.slice(from, from + 1000), wrapped.slice(from, from + 1000), next.version],
      );
  }

  /** Keys stored in the clear by earlier versions: wrapped, the clear column emptied. */
  private async wrapLegacyKeys(kek: KeyEncryptionKey): Promise<void> {
    if ((await this.sql('SELECT 1 FROM observa_person_keys WHERE key IS NOT NULL LIMIT 1')).length === 0)
      return;
    await this.transactions(async (sql) => {
      const legacy = (await sql(
        'SELECT person_id, key FROM observa_person_keys WHERE key IS NOT NULL FOR UPDATE',
      )) as { person_id: string; key: Buffer }[];
      for (const row of legacy)
        await sql(
          'UPDATE observa_person_keys SET wrapped_key = $2, kek_version = $3, key = NULL WHERE person_id = $1',
          [row.person_id, wrapKey(row.key, row.person_id, kek), kek.version],
        );
    });
  }
}
