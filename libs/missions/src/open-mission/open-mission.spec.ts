/** Opening a mission over HTTP, in one process: the answer and the event it appends. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { apiSpecification, expectNoNewEvents, expectProblem, expectResponse } from '#testing';
import { bearer, startStandalone, type World } from '../../../../test/e2e/harness.js';
import { missionStreamId } from '../domain/mission.js';

const kyrgyzMission = {
  name: 'International Election Observation Mission, Kyrgyz Republic 2023',
  organisation: 'CIS Interparliamentary Assembly',
  hostCountry: 'kg',
  election: { kind: 'parliamentary', date: '2023-11-30', rounds: 1 },
};

describe('open-mission', () => {
  let world: World;
  let admin: string;
  const spec = apiSpecification(() => world);

  beforeAll(async () => {
    world = await startStandalone();
    admin = await world.asAdmin();
  });
  afterAll(() => world.close());

  it('opens the mission: 201 with its id, and MissionOpened as its stream begins', async () => {
    const { response, newEvents } = await spec
      .given()
      .when((http) => http.post('/api/v1/missions').set(bearer(admin)).send(kyrgyzMission))
      .then(
        expectResponse(201, {
          id: expect.any(String),
          streamVersion: '0',
          eventIds: [expect.any(String)],
          appended: true,
        }),
      );
    const missionId = response.body.id as string;
    expect(newEvents.map(({ streamId, type, data }) => ({ streamId, type, data }))).toEqual([
      {
        streamId: missionStreamId(missionId),
        type: 'MissionOpened',
        data: { ...kyrgyzMission, missionId, hostCountry: 'KG', openedBy: expect.any(String) },
      },
    ]);
    expect(newEvents[0].metadata).toMatchObject({ missionId, actor: { role: 'admin' } });
  });

  it('refuses an unknown election kind with 400, appending nothing', async () => {
    await spec
      .given()
      .when((http) =>
        http
          .post('/api/v1/missions')
          .set(bearer(admin))
          .send({ ...kyrgyzMission, election: { ...kyrgyzMission.election, kind: 'coronation' } }),
      )
      .then(expectProblem(400, /election/), expectNoNewEvents());
  });
});
