/** Granting a staff role over HTTP, in one process: given the mission's events, the answer and the new event. */
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

describe('grant-staff-role', () => {
  let world: World;
  let admin: string;
  const spec = apiSpecification(() => world);

  beforeAll(async () => {
    world = await startStandalone();
    admin = await world.asAdmin();
  });
  afterAll(() => world.close());

  it('given an open mission, grants the role: 201 and StaffRoleGranted', async () => {
    const missionId = randomUUID();
    await spec
      .given([missionStreamId(missionId), [missionOpened(missionId)]])
      .when((http) =>
        http
          .post(`/api/v1/missions/${missionId}/staff`)
          .set(bearer(admin))
          .send({ userId: 'user-aizada', role: 'secretariat' }),
      )
      .then(
        expectResponse(201, {
          id: missionId,
          streamVersion: '1',
          eventIds: [expect.any(String)],
          appended: true,
        }),
        expectNewEvents(missionStreamId(missionId), [
          staffRoleGranted(missionId, 'user-aizada', 'secretariat'),
        ]),
      );
  });

  it('given the role already held, answers 201 with nothing appended', async () => {
    const missionId = randomUUID();
    await spec
      .given([
        missionStreamId(missionId),
        [missionOpened(missionId), staffRoleGranted(missionId, 'user-aizada', 'observer')],
      ])
      .when((http) =>
        http
          .post(`/api/v1/missions/${missionId}/staff`)
          .set(bearer(admin))
          .send({ userId: 'user-aizada', role: 'observer' }),
      )
      .then(
        expectResponse(201, { id: missionId, streamVersion: '1', eventIds: [], appended: false }),
        expectNoNewEvents(),
      );
  });

  it('given a closed mission, refuses with 422', async () => {
    const missionId = randomUUID();
    await spec
      .given([
        missionStreamId(missionId),
        [missionOpened(missionId), { type: 'MissionClosed', data: { missionId, by: 'admin-user' } }],
      ])
      .when((http) =>
        http
          .post(`/api/v1/missions/${missionId}/staff`)
          .set(bearer(admin))
          .send({ userId: 'user-aizada', role: 'observer' }),
      )
      .then(expectProblem(422, /closed/), expectNoNewEvents());
  });
});
