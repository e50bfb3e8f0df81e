/** Following an import of applications: the 202 names its job, polled until it has ended. */
import { expect } from '@jest/globals';
import type { Response } from 'supertest';
import { bearer, type World } from './harness.js';

export type ImportJob = {
  id: string;
  missionId: string;
  state: 'queued' | 'running' | 'done' | 'failed';
  progress: { done: number; total: number };
  report: {
    created: number;
    unchanged: number;
    refused: number;
    rows: { row: number; status: string; applicationId?: string; errors: { field: string }[] }[];
  } | null;
  reason: string | null;
};

/** The job a 202 answered, once it is done; fails the test if the import was not accepted or failed. */
export const importedJob = async (
  world: World,
  token: string,
  accepted: Response,
  timeoutMs = 60_000,
): Promise<ImportJob> => {
  expect(accepted.status).toBe(202);
  const location = accepted.headers.location;
  expect(location).toBe(
    `/api/v1/missions/${(accepted.body as ImportJob).missionId}/imports/${(accepted.body as ImportJob).id}`,
  );
  return world.eventually(
    async () => {
      const response = await world.http.get(location).set(bearer(token));
      expect(response.status).toBe(200);
      const job = response.body as ImportJob;
      if (job.state === 'failed') throw new Error(`the import failed: ${job.reason}`);
      expect(job.state).toBe('done');
      return job;
    },
    { timeoutMs, intervalMs: 100 },
  );
};

/** The per-row report of an accepted import, once its job is done. */
export const importReport = async (world: World, token: string, accepted: Response, timeoutMs?: number) =>
  (await importedJob(world, token, accepted, timeoutMs)).report!;
