/** Withdrawing a staff role over HTTP, in one process: given the mission's events, the answer and the new event. */
import { randomUUID } from 'node:crypto';
import { describe, it } from '@jest/globals';
import {
  appendedOne,
  missionStream,
  missionsOverHttp,
  openedMission,
  staffRoleGranted,
} from '../over-http.spec-support.js';

describe('withdraw-staff-role', () => {
  const { spec, admin } = missionsOverHttp();

  it('given an observer, withdraws the role: 200 and StaffRoleWithdrawn', async () => {
    const missionId = randomUUID();
    await spec
      .given(openedMission(missionId, staffRoleGranted(missionId, 'user-bakyt', 'observer')))
      .when((http) =>
        http.delete(`/api/v1/missions/${missionId}/staff/user-bakyt/roles/observer`).set(admin()),
      )
      .then({
        status: 200,
        exactBody: appendedOne(missionId, '2'),
        newEvents: [
          missionStream(missionId, [
            { type: 'StaffRoleWithdrawn', data: { missionId, userId: 'user-bakyt', role: 'observer' } },
          ]),
        ],
      });
  });

  it('given the last secretariat, refuses with 422 and appends nothing', async () => {
    const missionId = randomUUID();
    await spec
      .given(openedMission(missionId, staffRoleGranted(missionId, 'user-aizada', 'secretariat')))
      .when((http) =>
        http.delete(`/api/v1/missions/${missionId}/staff/user-aizada/roles/secretariat`).set(admin()),
      )
      .then({ status: 422, problem: { detail: /last secretariat/ }, newEvents: [] });
  });
});
