/**
 * The vault on the process's Postgres (server or embedded PGlite): one row per person in
 * `observa_person_keys`. Erasing sets the key to NULL and keeps the row, so the moment of erasure
 * stays provable. Runs its statements through whatever executes SQL for it: the shared pool, or the
 * transaction of a projection (on PGlite the process has one connection; a query outside that
 * transaction would wait behind it forever).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { InvalidEvent } from '../errors.js';
import { findUnstorableJson, MAX_JSON_DEPTH } from '../storable-json.js';
import { PersonErasedError, type PersonalDataVault, type SealedPersonalData } from './vault.js';

/** Runs one statement and answers its rows: `pool.query(...).rows`, or TypeORM's `manager.query`. */
export type SqlRunner = (text: string, values?: readonly unknown[]) => Promise<Record<string, unknown>[]>;

/** Anything with pg's `query` (a Pool, a Client). */
export const sqlOnPool =
  (pool: {
    query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  }): SqlRunner =>
  async (text, values) =>
    (await pool.query(text, values ? [...values] : undefined)).rows;

/** A TypeORM EntityManager (a projection's `tx`): SELECTs and RETURNINGs answer their rows. */
export const sqlInTransaction =
  (tx: { query(text: string, values?: unknown[]): Promise<unknown> }): SqlRunner =>
  async (text, values) =>
    (await tx.query(text, values ? [...values] : undefined)) as Record<string, unknown>[];

export const PERSON_KEYS_DDL = `
CREATE TABLE IF NOT EXISTS observa_person_keys (
  person_id  uuid PRIMARY KEY,
  key        bytea NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  erased_at  timestamptz NULL,
  CONSTRAINT observa_person_keys_erased_has_no_key CHECK (erased_at IS NULL OR key IS NULL)
)`;

const ALG = 'aes-256-gcm';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type KeyRow = { key: Buffer | null; erased_at: Date | null };

const assertPersonId = (personId: string): void => {
  if (!UUID.test(personId)) throw new TypeError(`a person id must be a UUID: ${personId}`);
};

/** The person id is bound into the ciphertext: a sealed value moved onto another person does not open. */
const aad = (personId: string): Buffer => Buffer.from(`observa-person:${personId.toLowerCase()}`, 'utf8');

export class PostgresPersonalDataVault implements PersonalDataVault {
  constructor(private readonly sql: SqlRunner) {}

  /** Creates the key table when missing; call once before first use. */
  async prepare(): Promise<void> {
    await this.sql(PERSON_KEYS_DDL);
  }

  /** The same vault, running its statements inside a caller's transaction. */
  within(sql: SqlRunner): PostgresPersonalDataVault {
    return new PostgresPersonalDataVault(sql);
  }

  async encrypt(personId: string, value: unknown): Promise<SealedPersonalData> {
    assertPersonId(personId);
    // The store never sees inside the ciphertext, but the read models get the plaintext back: refuse here
    // what their text and jsonb columns cannot hold, or a projection would stall on it later.
    const unstorable = findUnstorableJson(value, MAX_JSON_DEPTH);
    if (unstorable)
      throw new InvalidEvent(
        `personal data at ${unstorable.path.join('.') || '(top)'} ${unstorable.problem}`,
      );
    // Two writers may race to make the first key: the loser's insert does nothing and both read the winner's.
    await this.sql(
      'INSERT INTO observa_person_keys (person_id, key) VALUES ($1, $2) ON CONFLICT (person_id) DO NOTHING',
      [personId, randomBytes(32)],
    );
    const row = await this.keyOf(personId);
    if (!row?.key) throw new PersonErasedError(personId);
    const iv = randomBytes(12);
    const cipher = createCipheriv(ALG, row.key, iv);
    cipher.setAAD(aad(personId));
    const ciphertext = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return {
      personId,
      alg: 'A256GCM',
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      ciphertext: ciphertext.toString('base64'),
    };
  }

  async decrypt<T = unknown>(sealed: SealedPersonalData): Promise<T | null> {
    assertPersonId(sealed.personId);
    if (sealed.alg !== 'A256GCM') throw new TypeError(`unknown algorithm ${String(sealed.alg)}`);
    const row = await this.keyOf(sealed.personId);
    if (!row?.key) return null;
    const decipher = createDecipheriv(ALG, row.key, Buffer.from(sealed.iv, 'base64'));
    decipher.setAAD(aad(sealed.personId));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    const plain = Buffer.concat([
      decipher.update(Buffer.from(sealed.ciphertext, 'base64')),
      decipher.final(),
    ]);
    return JSON.parse(plain.toString('utf8')) as T;
  }

  async erase(personId: string): Promise<{ readonly erasedAt: Date }> {
    assertPersonId(personId);
    // A person never sealed for is still recorded as erased: a later encrypt for them is refused.
    const rows = await this.sql(
      `INSERT INTO observa_person_keys AS k (person_id, key, erased_at) VALUES ($1, NULL, now())
       ON CONFLICT (person_id) DO UPDATE SET key = NULL, erased_at = COALESCE(k.erased_at, now())
       RETURNING erased_at`,
      [personId],
    );
    return { erasedAt: new Date(rows[0].erased_at as Date | string) };
  }

  /** When the person was erased, or null while they are not. */
  async erasedAt(personId: string): Promise<Date | null> {
    assertPersonId(personId);
    const row = await this.keyOf(personId);
    return row?.erased_at ? new Date(row.erased_at) : null;
  }

  private async keyOf(personId: string): Promise<KeyRow | undefined> {
    const rows = await this.sql('SELECT key, erased_at FROM observa_person_keys WHERE person_id = $1', [
      personId,
    ]);
    return rows[0] as KeyRow | undefined;
  }
}
