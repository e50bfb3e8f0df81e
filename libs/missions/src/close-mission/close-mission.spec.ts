/** Closing a mission over HTTP, in one process: given the mission's events, the answer and the new event. */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { apiSpecification, expectNoNewEvents, expectProblem, expectResponse } from '#testing';
import { bearer, startStandalone, type World } from '../../../../test/e2e/harness.js';
import { missionStreamId } from '../domain/mission.js';
import { missionOpened } from '../mission.fixtures.js';

describe('close-mission', () => {
  let world: World;
  let admin: string;
  const spec = apiSpecification(() => world);

  beforeAll(async () => {
    world = await startStandalone();
    admin = await world.asAdmin();
  });
  afterAll(() => world.close());

  it('given an open mission, closes it: 200 and MissionClosed by the caller, with the reason', async () => {
    const missionId = randomUUID();
    const { newEvents } = await spec
      .given([missionStreamId(missionId), [missionOpened(missionId)]])
      .when((http) =>
        http
          .post(`/api/v1/missions/${missionId}/close`)
          .set(bearer(admin))
          .send({ reason: ' final statement published ' }),
      )
      .then(
        expectResponse(200, {
          id: missionId,
          streamVersion: '1',
          eventIds: [expect.any(String)],
          appended: true,
        }),
      );
    expect(newEvents.map(({ streamId, type, data }) => ({ streamId, type, data }))).toEqual([
      {
        streamId: missionStreamId(missionId),
        type: 'MissionClosed',
        data: { missionId, by: newEvents[0]?.metadata.actor?.userId, reason: 'final statement published' },
      },
    ]);
  });

  it('given a closed mission, refuses with 422 and appends nothing', async () => {
    const missionId = randomUUID();
    await spec
      .given([
        missionStreamId(missionId),
        [missionOpened(missionId), { type: 'MissionClosed', data: { missionId, by: 'admin-user' } }],
      ])
      .when((http) => http.post(`/api/v1/missions/${missionId}/close`).set(bearer(admin)).send({}))
      .then(expectProblem(422, /closed/), expectNoNewEvents());
  });
});
