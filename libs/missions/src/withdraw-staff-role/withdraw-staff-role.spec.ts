/** Withdrawing a staff role over HTTP, in one process: given the mission's events, the answer and the new event. */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  apiSpecification,
  expectNewEvents,
  expectNoNewEvents,
  expectProblem,
  expectResponse,
} from '#testing';
import { bearer, startStandalone, type World } from '../../../../test/e2e/harness.js';
import { missionStreamId } from '../domain/mission.js';
import { missionOpened, staffRoleGranted } from '../mission.fixtures.js';

describe('withdraw-staff-role', () => {
  let world: World;
  let admin: string;
  const spec = apiSpecification(() => world);

  beforeAll(async () => {
    world = await startStandalone();
    admin = await world.asAdmin();
  });
  afterAll(() => world.close());

  it('given an observer, withdraws the role: 200 and StaffRoleWithdrawn', async () => {
    const missionId = randomUUID();
    await spec
      .given([
        missionStreamId(missionId),
        [missionOpened(missionId), staffRoleGranted(missionId, 'user-bakyt', 'observer')],
      ])
      .when((http) =>
        http.delete(`/api/v1/missions/${missionId}/staff/user-bakyt/roles/observer`).set(bearer(admin)),
      )
      .then(
        expectResponse(200, {
          id: missionId,
          streamVersion: '2',
          eventIds: [expect.any(String)],
          appended: true,
        }),
        expectNewEvents(missionStreamId(missionId), [
          { type: 'StaffRoleWithdrawn', data: { missionId, userId: 'user-bakyt', role: 'observer' } },
        ]),
      );
  });

  it('given the last secretariat, refuses with 422 and appends nothing', async () => {
    const missionId = randomUUID();
    await spec
      .given([
        missionStreamId(missionId),
        [missionOpened(missionId), staffRoleGranted(missionId, 'user-aizada', 'secretariat')],
      ])
      .when((http) =>
        http.delete(`/api/v1/missions/${missionId}/staff/user-aizada/roles/secretariat`).set(bearer(admin)),
      )
      .then(expectProblem(422, /last secretariat/), expectNoNewEvents());
  });
});
