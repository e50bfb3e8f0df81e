/** Granting a staff role over HTTP, in one process: given the mission's events, the answer and the new event. */
import { randomUUID } from 'node:crypto';
import { describe, it } from '@jest/globals';
import {
  appendedOne,
  missionStream,
  missionsOverHttp,
  openedMission,
  staffRoleGranted,
} from '../over-http.spec-support.js';

describe('grant-staff-role', () => {
  const { spec, admin } = missionsOverHttp();

  it('given an open mission, grants the role: 201 and StaffRoleGranted', async () => {
    const missionId = randomUUID();
    await spec
      .given(openedMission(missionId))
      .when((http) =>
        http
          .post(`/api/v1/missions/${missionId}/staff`)
          .set(admin())
          .send({ userId: 'user-aizada', role: 'secretariat' }),
      )
      .then({
        status: 201,
        exactBody: appendedOne(missionId, '1'),
        newEvents: [missionStream(missionId, [staffRoleGranted(missionId, 'user-aizada', 'secretariat')])],
      });
  });

  it('given the role already held, answers 201 with nothing appended', async () => {
    const missionId = randomUUID();
    await spec
      .given(openedMission(missionId, staffRoleGranted(missionId, 'user-aizada', 'observer')))
      .when((http) =>
        http
          .post(`/api/v1/missions/${missionId}/staff`)
          .set(admin())
          .send({ userId: 'user-aizada', role: 'observer' }),
      )
      .then({
        status: 201,
        exactBody: { id: missionId, streamVersion: '1', eventIds: [], appended: false },
        newEvents: [],
      });
  });

  it('given a closed mission, refuses with 422', async () => {
    const missionId = randomUUID();
    await spec
      .given(openedMission(missionId, { type: 'MissionClosed', data: { missionId, by: 'admin-user' } }))
      .when((http) =>
        http
          .post(`/api/v1/missions/${missionId}/staff`)
          .set(admin())
          .send({ userId: 'user-aizada', role: 'observer' }),
      )
      .then({ status: 422, problem: { detail: /closed/ }, newEvents: [] });
  });
});
