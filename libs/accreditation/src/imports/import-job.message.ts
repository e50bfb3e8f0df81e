/** An import job as its rpcs carry it (ImportJob of accreditation.proto) and as the routes answer it. */
import type { ImportJob } from '#proto/observa/accreditation/v1/accreditation';
import type { ImportJobView, ImportRowReport } from './import-applications.js';

export const importJobMessageOf = (view: ImportJobView): ImportJob => ({
  id: view.id,
  missionId: view.missionId,
  state: view.state,
  progress: { done: view.progress.done, total: view.progress.total },
  ...(view.report && {
    report: {
      created: view.report.created,
      unchanged: view.report.unchanged,
      refused: view.report.refused,
      rows: view.report.rows.map((row) => ({
        row: row.row,
        status: row.status,
        ...(row.applicationId !== undefined && { applicationId: row.applicationId }),
        errors: row.errors.map(({ field, message }) => ({ field, message })),
      })),
    },
  }),
  ...(view.reason !== null && { reason: view.reason }),
  createdAt: view.createdAt,
  updatedAt: view.updatedAt,
});

/** The job as the routes answer it: fields in the order the context always wrote them, null when absent. */
export const importJobViewOf = (job: ImportJob | undefined): ImportJobView => {
  if (!job) throw new Error('the accreditation context answered no import job');
  return {
    id: job.id,
    missionId: job.missionId,
    state: job.state as ImportJobView['state'],
    progress: { done: job.progress?.done ?? 0, total: job.progress?.total ?? 0 },
    report: job.report
      ? {
          created: job.report.created,
          unchanged: job.report.unchanged,
          refused: job.report.refused,
          rows: (job.report.rows ?? []).map(
            (row): ImportRowReport => ({
              row: row.row,
              status: row.status as ImportRowReport['status'],
              ...(row.applicationId && { applicationId: row.applicationId }),
              errors: (row.errors ?? []).map(({ field, message }) => ({ field, message })),
            }),
          ),
        }
      : null,
    reason: job.reason ?? null,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
  };
};
