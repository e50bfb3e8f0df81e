/**
 * The Idempotency-Keys a caller has used, in `observa_idempotency_keys` on the database the event store
 * uses (PGlite or the server), so they survive restarts. A key is scoped to its caller: one user's key
 * never meets another's.
 *
 * A key is recorded, with the fingerprint of its request, BEFORE the command runs (pending), and its
 * answer only AFTER the command returned. So a crash between the append and the answer leaves a pending
 * key, never an answer the store does not hold: a retry of the same request runs the command again, and
 * since the command's event ids derive from the key, the store recognises the append and the answer
 * comes from the store (same ids, `appended: false`); another request with that key is refused. A
 * command that was refused (any 4xx) wrote nothing: its key is released, free for a corrected request.
 */
import { applyMigrations, type MigrationSet, type SqlRunner, type TransactionRunner } from '#event-sourcing';
import type { RequestFingerprint } from './request-fingerprint.js';

/** IF NOT EXISTS: databases from before the migration runner have the table. */
export const IDEMPOTENCY_KEY_TABLES: MigrationSet = {
  owner: 'idempotency-keys',
  migrations: [
    {
      version: 1,
      name: 'observa_idempotency_keys',
      sql: `
CREATE TABLE IF NOT EXISTS observa_idempotency_keys (
  caller      text NOT NULL,
  key         text NOT NULL,
  route       text NOT NULL,
  body_digest text NOT NULL,
  status      integer NULL,
  answer      jsonb NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  answered_at timestamptz NULL,
  PRIMARY KEY (caller, key)
)`,
    },
  ],
};

/** What the key says about this request. */
export type KeyClaim =
  /** First use (or a request whose earlier attempt left no answer): run it. */
  | { readonly kind: 'run' }
  /** Answered before: answer the same. */
  | { readonly kind: 'answered'; readonly status: number; readonly answer: unknown }
  /** The key was first used for another request. */
  | { readonly kind: 'used'; readonly first: RequestFingerprint };

type KeyRow = { route: string; body_digest: string; status: number | null; answer: unknown };

export class IdempotencyKeys {
  constructor(private readonly sql: SqlRunner) {}

  /** Migrates its table, in a transaction of `transactions`; call once before first use. */
  async prepare(transactions: TransactionRunner): Promise<void> {
    await transactions((sql) => applyMigrations(sql, [IDEMPOTENCY_KEY_TABLES]));
  }

  /** Records the key for this request unless it is known; says what to do with the request. */
  async claim(caller: string, key: string, request: RequestFingerprint): Promise<KeyClaim> {
    // A key released between the insert and the read is claimed on the next turn.
    for (;;) {
      const inserted = await this.sql(
        `INSERT INTO observa_idempotency_keys (caller, key, route, body_digest) VALUES ($1, $2, $3, $4)
         ON CONFLICT (caller, key) DO NOTHING RETURNING 1`,
        [caller, key, request.route, request.body],
      );
      if (inserted.length > 0) return { kind: 'run' };
      const [row] = (await this.sql(
        'SELECT route, body_digest, status, answer FROM observa_idempotency_keys WHERE caller = $1 AND key = $2',
        [caller, key],
      )) as KeyRow[];
      if (!row) continue;
      if (row.route !== request.route || row.body_digest !== request.body)
        return { kind: 'used', first: { route: row.route, body: row.body_digest } };
      // Pending: an earlier attempt died before answering, or runs now. Running it again is safe (its
      // event ids derive from the key) and is the only way to learn what it wrote.
      if (row.status === null) return { kind: 'run' };
      return { kind: 'answered', status: row.status, answer: row.answer };
    }
  }

  /** The first answer stays: a second run of a pending key answers what the first wrote. */
  async answer(caller: string, key: string, status: number, answer: unknown): Promise<void> {
    await this.sql(
      `UPDATE observa_idempotency_keys SET status = $3, answer = $4::jsonb, answered_at = now()
       WHERE caller = $1 AND key = $2 AND status IS NULL`,
      [caller, key, status, answer === undefined ? null : JSON.stringify(answer)],
    );
  }

  /** The request was refused and wrote nothing: the key is free again. */
  async release(caller: string, key: string): Promise<void> {
    await this.sql('DELETE FROM observa_idempotency_keys WHERE caller = $1 AND key = $2 AND status IS NULL', [
      caller,
      key,
    ]);
  }
}
