/**
 * Where each reader of $all (a projection, a relay) has got to, in observa_checkpoints. A projection
 * moves its checkpoint in the same transaction as its read model, so the two never disagree.
 */
import type { DataSource, EntityManager } from 'typeorm';
import { positionFromString, positionToString, START, type GlobalPosition } from '../envelope.js';
import type { MigrationSet } from '../migrations.js';
import { migrateOnce } from './migrate-once.js';

/** IF NOT EXISTS: databases from before the migration runner have the table. */
export const CHECKPOINT_TABLES: MigrationSet = {
  owner: 'checkpoints',
  migrations: [
    {
      version: 1,
      name: 'observa_checkpoints',
      sql: `CREATE TABLE IF NOT EXISTS observa_checkpoints (
              name text PRIMARY KEY, position text NOT NULL, updated_at timestamptz)`,
    },
  ],
};

export const createCheckpointsTable = (dataSource: DataSource): Promise<void> =>
  migrateOnce(dataSource, CHECKPOINT_TABLES);

/** Someone else moved or removed the checkpoint since it was read: read it again before going on. */
export class CheckpointMoved extends Error {
  override readonly name = 'CheckpointMoved';
  constructor(readonly checkpoint: string) {
    super(`checkpoint ${checkpoint} moved while a page was being applied`);
  }
}

type Queryable = Pick<EntityManager, 'query'>;

/** null when there is none (the reader starts from the beginning). */
export const loadCheckpoint = async (db: Queryable, name: string): Promise<GlobalPosition | null> => {
  const rows: { position: string }[] = await db.query(
    'SELECT position FROM observa_checkpoints WHERE name = $1',
    [name],
  );
  return rows.length === 0 ? null : positionFromString(rows[0].position);
};

export const saveCheckpoint = async (
  db: Queryable,
  name: string,
  position: GlobalPosition,
): Promise<void> => {
  await db.query(
    `INSERT INTO observa_checkpoints (name, position, updated_at) VALUES ($1, $2, now())
     ON CONFLICT (name) DO UPDATE SET position = EXCLUDED.position, updated_at = EXCLUDED.updated_at`,
    [name, positionToString(position)],
  );
};

export const deleteCheckpoint = async (db: Queryable, name: string): Promise<void> => {
  await db.query('DELETE FROM observa_checkpoints WHERE name = $1', [name]);
};

/**
 * Locks the checkpoint row for the rest of the transaction if it is still where it was read
 * (`expected`, null for none), else throws CheckpointMoved. Two runners of one projection thus
 * never apply the same page twice: the second waits for the first, then finds the row moved.
 */
export const claimCheckpoint = async (
  tx: EntityManager,
  name: string,
  expected: GlobalPosition | null,
): Promise<void> => {
  const rows: { name: string }[] =
    expected === null
      ? await tx.query(
          `INSERT INTO observa_checkpoints (name, position, updated_at) VALUES ($1, $2, now())
           ON CONFLICT (name) DO UPDATE SET updated_at = now() WHERE observa_checkpoints.position = EXCLUDED.position
           RETURNING name`,
          [name, positionToString(START)],
        )
      : // TypeORM answers an UPDATE with [rows, count]; the CTE makes it a plain list of rows.
        await tx.query(
          `WITH claimed AS (UPDATE observa_checkpoints SET updated_at = now() WHERE name = $1 AND position = $2 RETURNING name)
           SELECT name FROM claimed`,
          [name, positionToString(expected)],
        );
  if (rows.length === 0) throw new CheckpointMoved(name);
};
