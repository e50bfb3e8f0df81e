/**
 * QUERY TRANSPORT ADAPTER, to be replaced by the interface generated from proto/: the query classes the
 * routes send on the QueryBus (and the gRPC tunnel carries) and their handlers, reading the import jobs.
 */
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { NotFound } from '#event-sourcing';
import { ImportJobs } from './import-jobs.js';
import type { ImportJobView } from './import-applications.js';

/** An import job of the mission; another mission's is not found. */
export class GetImportJob extends Query<ImportJobView> {
  constructor(
    readonly missionId: string,
    readonly jobId: string,
  ) {
    super();
  }
}

@QueryHandler(GetImportJob)
export class GetImportJobHandler implements IQueryHandler<GetImportJob> {
  constructor(private readonly jobs: ImportJobs) {}

  async execute({ missionId, jobId }: GetImportJob): Promise<ImportJobView> {
    const job = await this.jobs.view(missionId, jobId);
    if (!job) throw new NotFound(`there is no import job ${jobId} in this mission`);
    return job;
  }
}
