/** Removing a delegation over HTTP, in one process: given the mission's events, the answer and the new event. */
import { randomUUID } from 'node:crypto';
import { describe, it } from '@jest/globals';
import { appendedOne, missionStream, missionsOverHttp, openedMission } from '../over-http.spec-support.js';

describe('remove-delegation', () => {
  const { spec, admin } = missionsOverHttp();

  it('given a delegation, removes it: 200 and DelegationLeft', async () => {
    const missionId = randomUUID();
    await spec
      .given(
        openedMission(missionId, {
          type: 'DelegationJoined',
          data: { missionId, country: 'KZ', headOfDelegation: 'Yerlan Nurlanovich' },
        }),
      )
      .when((http) => http.delete(`/api/v1/missions/${missionId}/delegations/kz`).set(admin()))
      .then({
        status: 200,
        exactBody: appendedOne(missionId, '2'),
        newEvents: [
          missionStream(missionId, [{ type: 'DelegationLeft', data: { missionId, country: 'KZ' } }]),
        ],
      });
  });

  it('given no such delegation, refuses with 422 and appends nothing', async () => {
    const missionId = randomUUID();
    await spec
      .given(openedMission(missionId))
      .when((http) => http.delete(`/api/v1/missions/${missionId}/delegations/KZ`).set(admin()))
      .then({ status: 422, problem: { detail: /no delegation of KZ/ }, newEvents: [] });
  });
});
