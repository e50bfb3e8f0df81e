/** Opening a mission over HTTP, in one process: the answer and the event it appends. */
import { describe, expect, it } from '@jest/globals';
import { missionStreamId } from '../domain/mission.js';
import { missionsOverHttp } from '../over-http.spec-support.js';

const kyrgyzMission = {
  name: 'International Election Observation Mission, Kyrgyz Republic 2023',
  organisation: 'CIS Interparliamentary Assembly',
  hostCountry: 'kg',
  election: { kind: 'parliamentary', date: '2023-11-30', rounds: 1 },
};

describe('open-mission', () => {
  const { spec, admin, store } = missionsOverHttp();

  it('opens the mission: 201 with its id, and MissionOpened as its stream begins', async () => {
    const opened = {
      type: 'MissionOpened',
      data: {
        ...kyrgyzMission,
        missionId: expect.any(String),
        hostCountry: 'KG',
        openedBy: expect.any(String),
      },
    };
    const response = await spec
      .given()
      .when((http) => http.post('/api/v1/missions').set(admin()).send(kyrgyzMission))
      .then({
        status: 201,
        exactBody: {
          id: expect.any(String),
          streamVersion: '0',
          eventIds: [expect.any(String)],
          appended: true,
        },
        newEvents: [{ streamId: expect.any(String), events: [opened] }],
      });
    const missionId = (response.body as { id: string }).id;
    const events = await store().readStream(missionStreamId(missionId));
    expect(events.map(({ type, data }) => ({ type, data }))).toEqual([
      { ...opened, data: { ...opened.data, missionId } },
    ]);
    expect(events[0]?.metadata).toMatchObject({ missionId, actor: { role: 'admin' } });
  });

  it('refuses an unknown election kind with 400, appending nothing', async () => {
    await spec
      .given()
      .when((http) =>
        http
          .post('/api/v1/missions')
          .set(admin())
          .send({ ...kyrgyzMission, election: { ...kyrgyzMission.election, kind: 'coronation' } }),
      )
      .then({ status: 400, problem: { detail: /election/ }, newEvents: [] });
  });
});
