/**
 * Import jobs, in `accreditation_import_jobs` on the context's database, so that a job outlives the
 * process that took its file: a job a crash interrupted is taken up again at the next start from the
 * last batch it recorded (each row's command is idempotent, its id derived from the job's). The file
 * is kept only while the job needs it and dropped when the job ends.
 */
import {
  applyMigrations,
  type CommandContext,
  type MigrationSet,
  type SqlRunner,
  type TransactionRunner,
} from '#event-sourcing';
import type { ImportFormat, ImportJobView, ImportRowReport } from './import-applications.js';

/** IF NOT EXISTS: databases from before the migration runner have the table. */
export const IMPORT_JOB_TABLES: MigrationSet = {
  owner: 'accreditation-import-jobs',
  migrations: [
    {
      version: 1,
      name: 'accreditation_import_jobs',
      sql: `
CREATE TABLE IF NOT EXISTS accreditation_import_jobs (
  job_id      text PRIMARY KEY,
  mission_id  text NOT NULL,
  state       text NOT NULL,
  format      text NOT NULL,
  content     bytea NULL,
  context     jsonb NOT NULL,
  rows_total  integer NOT NULL,
  rows_done   integer NOT NULL DEFAULT 0,
  report      jsonb NOT NULL DEFAULT '[]'::jsonb,
  reason      text NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
)`,
    },
  ],
};

/** A job as the runner needs it: the file and the request's context, and how far it got. */
export type ImportJobWork = {
  readonly jobId: string;
  readonly missionId: string;
  readonly format: ImportFormat;
  readonly content: Buffer;
  readonly context: CommandContext;
  readonly done: number;
};

type JobRow = {
  job_id: string;
  mission_id: string;
  state: ImportJobView['state'];
  rows_total: number;
  rows_done: number;
  report: ImportRowReport[];
  reason: string | null;
  created_at: Date | string;
  updated_at: Date | string;
};

const iso = (at: Date | string): string => new Date(at).toISOString();

const viewOf = (row: JobRow): ImportJobView => {
  const count = (status: ImportRowReport['status']) => row.report.filter((r) => r.status === status).length;
  return {
    id: row.job_id,
    missionId: row.mission_id,
    state: row.state,
    progress: { done: row.rows_done, total: row.rows_total },
    report:
      row.state === 'done'
        ? {
            created: count('created'),
            unchanged: count('unchanged'),
            refused: count('refused'),
            rows: row.report,
          }
        : null,
    reason: row.reason,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
};

const VIEW_COLUMNS =
  'job_id, mission_id, state, rows_total, rows_done, report, reason, created_at, updated_at';

export class ImportJobs {
  constructor(private readonly sql: SqlRunner) {}

  /** Migrates its table, in a transaction of `transactions`; call once before first use. */
  async prepare(transactions: TransactionRunner): Promise<void> {
    await transactions((sql) => applyMigrations(sql, [IMPORT_JOB_TABLES]));
  }

  /** Queues the job unless it exists (the same request again); answers the job as it stands. */
  async queue(job: {
    readonly jobId: string;
    readonly missionId: string;
    readonly format: ImportFormat;
    readonly content: Buffer;
    readonly context: CommandContext;
    readonly total: number;
  }): Promise<{ readonly view: ImportJobView; readonly queued: boolean }> {
    const inserted = await this.sql(
      `INSERT INTO accreditation_import_jobs (job_id, mission_id, state, format, content, context, rows_total)
       VALUES ($1, $2, 'queued', $3, $4, $5::jsonb, $6) ON CONFLICT (job_id) DO NOTHING RETURNING ${VIEW_COLUMNS}`,
      [job.jobId, job.missionId, job.format, job.content, JSON.stringify(job.context), job.total],
    );
    if (inserted.length > 0) return { view: viewOf(inserted[0] as JobRow), queued: true };
    const view = await this.view(job.missionId, job.jobId);
    if (!view) throw new Error(`import job ${job.jobId} belongs to another mission`);
    return { view, queued: false };
  }

  /** The job, if it is one of this mission's. */
  async view(missionId: string, jobId: string): Promise<ImportJobView | undefined> {
    const [row] = await this.sql(
      `SELECT ${VIEW_COLUMNS} FROM accreditation_import_jobs WHERE job_id = $1 AND mission_id = $2`,
      [jobId, missionId],
    );
    return row ? viewOf(row as JobRow) : undefined;
  }

  /** The work of a job that has not ended, or undefined. */
  async work(jobId: string): Promise<ImportJobWork | undefined> {
    const [row] = (await this.sql(
      `SELECT job_id, mission_id, format, content, context, rows_done FROM accreditation_import_jobs
       WHERE job_id = $1 AND state IN ('queued', 'running') AND content IS NOT NULL`,
      [jobId],
    )) as {
      job_id: string;
      mission_id: string;
      format: ImportFormat;
      content: Buffer;
      context: CommandContext;
      rows_done: number;
    }[];
    if (!row) return undefined;
    return {
      jobId: row.job_id,
      missionId: row.mission_id,
      format: row.format,
      content: Buffer.from(row.content),
      context: row.context,
      done: row.rows_done,
    };
  }

  /** Jobs that were queued or running when the process stopped. */
  async unfinished(): Promise<string[]> {
    const rows = (await this.sql(
      `SELECT job_id FROM accreditation_import_jobs WHERE state IN ('queued', 'running') ORDER BY created_at`,
    )) as { job_id: string }[];
    return rows.map((row) => row.job_id);
  }

  /** Records a batch of rows done: from here a restart carries on. */
  async progress(jobId: string, done: number, rows: readonly ImportRowReport[]): Promise<void> {
    await this.sql(
      `UPDATE accreditation_import_jobs SET state = 'running', rows_done = $2, report = report || $3::jsonb,
       updated_at = now() WHERE job_id = $1`,
      [jobId, done, JSON.stringify(rows)],
    );
  }

  async finish(jobId: string): Promise<void> {
    await this.sql(
      `UPDATE accreditation_import_jobs SET state = 'done', content = NULL, updated_at = now() WHERE job_id = $1`,
      [jobId],
    );
  }

  async fail(jobId: string, reason: string): Promise<void> {
    await this.sql(
      `UPDATE accreditation_import_jobs SET state = 'failed', reason = $2, content = NULL, updated_at = now()
       WHERE job_id = $1`,
      [jobId, reason],
    );
  }
}
