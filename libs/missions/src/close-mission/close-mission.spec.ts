/** Closing a mission over HTTP, in one process: given the mission's events, the answer and the new event. */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { missionStreamId } from '../domain/mission.js';
import { appendedOne, missionsOverHttp, openedMission } from '../over-http.spec-support.js';

describe('close-mission', () => {
  const { spec, admin, store } = missionsOverHttp();

  it('given an open mission, closes it: 200 and MissionClosed by the caller, with the reason', async () => {
    const missionId = randomUUID();
    await spec
      .given(openedMission(missionId))
      .when((http) =>
        http
          .post(`/api/v1/missions/${missionId}/close`)
          .set(admin())
          .send({ reason: ' final statement published ' }),
      )
      .then({
        status: 200,
        exactBody: appendedOne(missionId, '1'),
        newEvents: [
          {
            streamId: missionStreamId(missionId),
            events: [
              {
                type: 'MissionClosed',
                data: { missionId, by: expect.any(String), reason: 'final statement published' },
              },
            ],
          },
        ],
      });
    const [, closed] = await store().readStream(missionStreamId(missionId));
    expect(closed?.data.by).toBe(closed?.metadata.actor?.userId);
  });

  it('given a closed mission, refuses with 422 and appends nothing', async () => {
    const missionId = randomUUID();
    await spec
      .given(openedMission(missionId, { type: 'MissionClosed', data: { missionId, by: 'admin-user' } }))
      .when((http) => http.post(`/api/v1/missions/${missionId}/close`).set(admin()).send({}))
      .then({ status: 422, problem: { detail: /closed/ }, newEvents: [] });
  });
});
