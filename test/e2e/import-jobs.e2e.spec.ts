/**
 * Imports as jobs, on the standalone app with its data on disk: a 2,000-row list runs in the
 * background while the app keeps answering, only the mission's secretariat (or the administrator)
 * sees the job, and a job a restart interrupted is taken up again and finishes with a whole report,
 * every row once.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { HEADER, kazakhMission, kyrgyzMission } from './fixtures.js';
import { bearer, eventually, startStandalone, type World } from './harness.js';
import { importedJob, type ImportJob } from './import-jobs.js';

/** Large enough to run for a while in batches (a list may have up to 5,000); small enough for the suite. */
const ROWS = 2000;
const roster = (prefix: string) =>
  [
    HEADER,
    ...Array.from(
      { length: ROWS },
      (_, i) =>
        `Given${i},Family${i},1980-01-01,DE,passport,${prefix}${String(i).padStart(6, '0')},,de;en,LTO,DE,none,passport`,
    ),
  ].join('\n');

describe('import jobs (standalone, data on disk)', () => {
  let dataDir: string;
  let world: World;
  let admin: string;
  let secretariat: string;
  let observer: string;
  let otherSecretariat: string;
  let missionId: string;
  let otherMissionId: string;
  const imports = () => `/api/v1/missions/${missionId}/applications/import`;
  const jobOf = async (location: string, token = admin) => {
    const response = await world.http.get(location).set(bearer(token));
    expect(response.status).toBe(200);
    return response.body as ImportJob;
  };
  const applicationEvents = async () => world.store.countEvents({ categories: ['application'] });

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'observa-imports-'));
    world = await startStandalone({ dataDir });
    admin = await world.asAdmin();
    const open = async (mission: object) => {
      const opened = await world.http.post('/api/v1/missions').set(bearer(admin)).send(mission);
      expect(opened.status).toBe(201);
      return opened.body.id as string;
    };
    [missionId, otherMissionId] = [await open(kyrgyzMission), await open(kazakhMission)];
    const staff = async (email: string, mission: string, role: string) => {
      const userId = await world.registerUser(email, `${email}-password-1`);
      const granted = await world.http
        .post(`/api/v1/missions/${mission}/staff`)
        .set(bearer(admin))
        .send({ userId, role });
      expect(granted.status).toBe(201);
      return world.login(email, `${email}-password-1`);
    };
    secretariat = await staff('aida@imports.example', missionId, 'secretariat');
    observer = await staff('erlan@imports.example', missionId, 'observer');
    otherSecretariat = await staff('saule@imports.example', otherMissionId, 'secretariat');
    await world.eventually(async () =>
      expect(
        (
          await world.http
            .get(`/api/v1/missions/${otherMissionId}/applications`)
            .set(bearer(otherSecretariat))
        ).status,
      ).toBe(200),
    );
  }, 180_000);
  afterAll(async () => {
    await world?.close();
    await rm(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('shows a job to the secretariat of its mission only', async () => {
    const accepted = await world.http
      .post(imports())
      .set(bearer(secretariat))
      .set('content-type', 'text/csv')
      .send(`${HEADER}\nJana,Novakova,1975-02-11,CZ,passport,CZ4410021,,cs,LTO,CZ,none,passport`);
    const job = await importedJob(world, secretariat, accepted);
    expect(job).toMatchObject({ state: 'done', progress: { done: 1, total: 1 }, report: { created: 1 } });
    const location = accepted.headers.location;
    expect((await world.http.get(location).set(bearer(admin))).status).toBe(200);
    expect((await world.http.get(location).set(bearer(observer))).status).toBe(403);
    // Another mission's secretariat: not this mission's job, whichever mission they ask it of.
    expect((await world.http.get(location).set(bearer(otherSecretariat))).status).toBe(404);
    const elsewhere = await world.http
      .get(`/api/v1/missions/${otherMissionId}/imports/${job.id}`)
      .set(bearer(otherSecretariat));
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(
      (await world.http.get(`/api/v1/missions/${missionId}/imports/no-such-job`).set(bearer(secretariat)))
        .status,
    ).toBe(404);
  });

  it('keeps answering while a 2,000-row job runs, and takes the job up again after a restart', async () => {
    const before = await applicationEvents();
    const accepted = await world.http
      .post(imports())
      .set(bearer(secretariat))
      .set('content-type', 'text/csv')
      .send(roster('DE'));
    expect(accepted.status).toBe(202);
    expect(accepted.body).toMatchObject({ state: 'queued', progress: { done: 0, total: ROWS } });
    const location = accepted.headers.location as string;

    const running = await eventually(
      async () => {
        const job = await jobOf(location);
        expect(job.state).toBe('running');
        expect(job.progress.done).toBeGreaterThan(0);
        return job;
      },
      { timeoutMs: 60_000, intervalMs: 50 },
    );
    const health = await world.http.get('/health');
    expect(health.status).toBe(200);
    const after = await jobOf(location);
    // /health answered between two looks at the job, both of which found it running.
    expect(after.state).toBe('running');
    expect(after.progress.done).toBeLessThan(ROWS);
    expect(after.progress.done).toBeGreaterThanOrEqual(running.progress.done);

    await world.close();
    world = await startStandalone({ dataDir });
    const restarted = await jobOf(location);
    expect(restarted.state === 'running' || restarted.state === 'done').toBe(true);
    const job = await importedJob(world, secretariat, accepted, 300_000);
    expect(job.progress).toEqual({ done: ROWS, total: ROWS });
    expect(job.report).toMatchObject({ created: ROWS, unchanged: 0, refused: 0 });
    expect(job.report!.rows.map((r) => r.row)).toEqual(Array.from({ length: ROWS }, (_, i) => i + 2));
    // Every row once: one submission per row, none twice.
    expect((await applicationEvents()) - before).toBe(ROWS);
  }, 600_000);
});
