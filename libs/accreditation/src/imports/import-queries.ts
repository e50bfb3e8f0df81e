/** The query of the import jobs (GetImportJob): a job of the mission; another mission's is not found. */
import { NotFound } from '#event-sourcing';
import type {
  GetImportJobRequest,
  GetImportJobResponse,
} from '#proto/observa/accreditation/v1/accreditation';
import { importJobMessageOf } from './import-job.message.js';
import type { ImportJobs } from './import-jobs.js';

export const getImportJob = async (
  jobs: ImportJobs,
  { missionId, jobId }: GetImportJobRequest,
): Promise<GetImportJobResponse> => {
  const job = await jobs.view(missionId, jobId);
  if (!job) throw new NotFound(`there is no import job ${jobId} in this mission`);
  return { job: importJobMessageOf(job) };
};
