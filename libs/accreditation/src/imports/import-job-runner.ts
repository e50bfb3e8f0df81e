/**
 * Runs import jobs in the background of the context's process: rows in small batches, each batch
 * recorded before the next and followed by a turn of the event loop, so other requests (and /health)
 * keep being answered while thousands of rows go in. At start, the jobs a stop or a crash interrupted
 * are taken up again where they were recorded.
 */
import { setImmediate as turn } from 'node:timers/promises';
import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import {
  DomainRuleBroken,
  EVENT_STORE,
  IdempotencyMismatch,
  nameBasedUuid,
  PERSONAL_DATA_VAULT,
  type CommandContext,
  type EventStore,
  type PersonalDataVault,
} from '#event-sourcing';
import { ACCREDITATION_CLOCK, type Clock } from '../clock.js';
import { applicationStream } from '../identities.js';
import { idsOf, submitApplication } from '../submit-application/submit-application.js';
import type { ImportRowReport } from './import-applications.js';
import { ImportJobs, type ImportJobWork } from './import-jobs.js';
import { applicationOfRow } from './roster-row.js';
import { readRoster, type RosterRow } from './roster.js';

/** Rows between two records of progress (and two turns of the event loop). */
export const IMPORT_BATCH_ROWS = 25;

@Injectable()
export class ImportJobRunner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('ImportJobRunner');
  private readonly running = new Map<string, Promise<void>>();
  private stopping = false;

  constructor(
    private readonly jobs: ImportJobs,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PERSONAL_DATA_VAULT) private readonly vault: PersonalDataVault,
    @Inject(ACCREDITATION_CLOCK) private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    for (const jobId of await this.jobs.unfinished()) {
      this.logger.log({ msg: 'taking up an import job a stop interrupted', jobId });
      this.start(jobId);
    }
  }

  /** Lets the batch under way finish and record itself; the jobs carry on at the next start. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await Promise.allSettled(this.running.values());
  }

  /** Starts the job unless it runs already; `rows` saves reading the file again. */
  start(jobId: string, rows?: readonly RosterRow[]): void {
    if (this.running.has(jobId) || this.stopping) return;
    const run = this.run(jobId, rows).finally(() => this.running.delete(jobId));
    this.running.set(jobId, run);
  }

  private async run(jobId: string, known?: readonly RosterRow[]): Promise<void> {
    let work: ImportJobWork | undefined;
    try {
      work = await this.jobs.work(jobId);
      if (!work) return;
      const rows = known ?? (await readRoster(work.format, work.content));
      // Taken up after a stop: rows past the last record may have gone in already.
      const resumed = known === undefined;
      for (let next = work.done; next < rows.length;) {
        if (this.stopping) return;
        const batch = rows.slice(next, next + IMPORT_BATCH_ROWS);
        const reports: ImportRowReport[] = [];
        for (const row of batch) reports.push(await this.importRow(work, row, resumed));
        next += batch.length;
        await this.jobs.progress(jobId, next, reports);
        await turn();
      }
      await this.jobs.finish(jobId);
    } catch (error) {
      if (this.stopping) return;
      this.logger.error({ msg: 'an import job failed', jobId, err: error });
      await this.jobs
        .fail(jobId, `the import stopped: ${(error as Error).message}`)
        .catch((failure: unknown) =>
          this.logger.error({ msg: 'an import job could not be marked failed', jobId, err: failure }),
        );
    }
  }

  private async importRow(work: ImportJobWork, row: RosterRow, resumed: boolean): Promise<ImportRowReport> {
    const parsed = applicationOfRow(row);
    if ('errors' in parsed) return { row: row.row, status: 'refused', errors: parsed.errors };
    const { applicationId } = idsOf(work.missionId, parsed.application.person);
    // One command per row, its id derived from the request's: a retried import appends nothing new.
    const context: CommandContext = {
      ...work.context,
      commandId: nameBasedUuid(`accreditation-import-row\n${work.context.commandId ?? ''}\n${applicationId}`),
      causationId: work.context.commandId,
    };
    const exists =
      (await this.store.readStream(applicationStream(applicationId), { maxCount: 1 })).length > 0;
    if (exists && !resumed) return { row: row.row, status: 'unchanged', applicationId, errors: [] };
    try {
      const { result } = await submitApplication(this.store, this.vault, {
        missionId: work.missionId,
        ...parsed.application,
        at: this.clock().toISOString(),
        context,
      });
      // A resumed job's own row, already in: the store recognises its command and says so.
      return {
        row: row.row,
        status: result.appended || exists ? 'created' : 'unchanged',
        applicationId,
        errors: [],
      };
    } catch (error) {
      if (exists && (error instanceof DomainRuleBroken || error instanceof IdempotencyMismatch))
        return { row: row.row, status: 'unchanged', applicationId, errors: [] };
      if (!(error instanceof DomainRuleBroken)) throw error;
      return {
        row: row.row,
        status: 'refused',
        applicationId,
        errors: [{ field: '', message: error.message }],
      };
    }
  }
}
