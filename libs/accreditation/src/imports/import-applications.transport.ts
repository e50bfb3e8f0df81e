/**
 * TRANSPORT ADAPTER for the import of applications, to be replaced by the interface generated from
 * proto/: the command class the route sends (and the gRPC tunnel carries, the file as base64), and its
 * handler, which calls the use case and names the roster's refusals in HTTP's terms.
 */
import { BadRequestException, PayloadTooLargeException } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { AccreditationCommand } from '../bus-contract.js';
import { importApplications, type ImportFormat, type ImportJobView } from './import-applications.js';
import { ImportJobRunner } from './import-job-runner.js';
import { ImportJobs } from './import-jobs.js';
import { RosterTooLarge, UnreadableRoster } from './roster.js';

export class ImportApplications extends AccreditationCommand<
  {
    readonly missionId: string;
    readonly format: ImportFormat;
    /** The file, base64. */
    readonly content: string;
  },
  ImportJobView
> {}

@CommandHandler(ImportApplications)
export class ImportApplicationsHandler implements ICommandHandler<ImportApplications> {
  constructor(
    private readonly jobs: ImportJobs,
    private readonly runner: ImportJobRunner,
  ) {}

  async execute({ payload, context }: ImportApplications): Promise<ImportJobView> {
    const { missionId, format } = payload;
    const content = Buffer.from(payload.content, 'base64');
    try {
      return await importApplications(this.jobs, this.runner, { missionId, format, content, context });
    } catch (error) {
      if (error instanceof UnreadableRoster) throw new BadRequestException(error.message);
      if (error instanceof RosterTooLarge) throw new PayloadTooLargeException(error.message);
      throw error;
    }
  }
}
