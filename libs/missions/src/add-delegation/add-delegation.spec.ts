/** Adding a delegation over HTTP, in one process: given the mission's events, the answer and the new event. */
import { randomUUID } from 'node:crypto';
import { describe, it } from '@jest/globals';
import { appendedOne, missionStream, missionsOverHttp, openedMission } from '../over-http.spec-support.js';

describe('add-delegation', () => {
  const { spec, admin } = missionsOverHttp();

  it('given an open mission, adds the delegation: DelegationJoined, the country upper-cased', async () => {
    const missionId = randomUUID();
    await spec
      .given(openedMission(missionId))
      .when((http) =>
        http
          .post(`/api/v1/missions/${missionId}/delegations`)
          .set(admin())
          .send({ country: 'kz', headOfDelegation: 'Yerlan Nurlanovich' }),
      )
      .then({
        status: 201,
        exactBody: appendedOne(missionId, '1'),
        newEvents: [
          missionStream(missionId, [
            {
              type: 'DelegationJoined',
              data: { missionId, country: 'KZ', headOfDelegation: 'Yerlan Nurlanovich' },
            },
          ]),
        ],
      });
  });

  it('given the delegation already there, refuses with 422 and appends nothing', async () => {
    const missionId = randomUUID();
    await spec
      .given(
        openedMission(missionId, {
          type: 'DelegationJoined',
          data: { missionId, country: 'KZ', headOfDelegation: 'Someone Else' },
        }),
      )
      .when((http) =>
        http
          .post(`/api/v1/missions/${missionId}/delegations`)
          .set(admin())
          .send({ country: 'KZ', headOfDelegation: 'Yerlan Nurlanovich' }),
      )
      .then({ status: 422, problem: { detail: /already in the mission/ }, newEvents: [] });
  });

  it('given no mission, answers 404', async () => {
    await spec
      .given()
      .when((http) =>
        http
          .post(`/api/v1/missions/${randomUUID()}/delegations`)
          .set(admin())
          .send({ country: 'KZ', headOfDelegation: 'Yerlan Nurlanovich' }),
      )
      .then({ status: 404, problem: {}, newEvents: [] });
  });
});
