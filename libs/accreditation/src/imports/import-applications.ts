/**
 * Import applications from the CSV or XLSX lists secretariats keep: the file is read at once within the
 * roster's limits (refused whole if it goes past one or holds what storage cannot), then a job is queued
 * that submits its rows in the background. The job's id derives from the request's, so the same request
 * (same Idempotency-Key) answers the same job; a row already in creates nothing new.
 */
import { randomUUID } from 'node:crypto';
import { nameBasedUuid, type CommandContext } from '#event-sourcing';
import { ValidationFailed } from '#platform';
import type { ImportJobRunner } from './import-job-runner.js';
import type { ImportJobs } from './import-jobs.js';
import { readRoster, unstorableCells } from './roster.js';

export type ImportFormat = 'csv' | 'xlsx';
export type ImportRowReport = {
  /** The row's number in the sheet: the header is row 1. */
  readonly row: number;
  readonly status: 'created' | 'unchanged' | 'refused';
  readonly applicationId?: string;
  readonly errors: { readonly field: string; readonly message: string }[];
};
export type ImportReport = {
  readonly created: number;
  readonly unchanged: number;
  readonly refused: number;
  readonly rows: ImportRowReport[];
};

/** An import as it runs: queued, running (rows done of the total), done with its report, or failed with why. */
export type ImportJobView = {
  readonly id: string;
  readonly missionId: string;
  readonly state: 'queued' | 'running' | 'done' | 'failed';
  readonly progress: { readonly done: number; readonly total: number };
  /** Once done. */
  readonly report: ImportReport | null;
  /** Once failed. */
  readonly reason: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
};

export type ImportApplications = {
  readonly missionId: string;
  readonly format: ImportFormat;
  readonly content: Buffer;
  readonly context: CommandContext;
};

/** Throws UnreadableRoster, RosterTooLarge or ValidationFailed before anything is queued. */
export const importApplications = async (
  jobs: ImportJobs,
  runner: ImportJobRunner,
  { missionId, format, content, context }: ImportApplications,
): Promise<ImportJobView> => {
  const rows = await readRoster(format, content);
  const unstorable = unstorableCells(rows);
  if (unstorable.length > 0) throw new ValidationFailed(unstorable);
  const jobId = nameBasedUuid(`accreditation-import-job\n${context.commandId ?? randomUUID()}`);
  const { view, queued } = await jobs.queue({
    jobId,
    missionId,
    format,
    content,
    context,
    total: rows.length,
  });
  if (queued) runner.start(jobId, rows);
  return view;
};
