/** Removing a delegation over HTTP, in one process: given the mission's events, the answer and the new event. */
import { expect } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import {
  apiSpecification,
  expectNewEvents,
  expectNoNewEvents,
  expectProblem,
  expectResponse,
} from '#testing';
import { bearer, startStandalone, type World } from '../../../../test/e2e/harness.js';
import { missionStreamId } from '../domain/mission.js';
import { missionOpened } from '../mission.fixtures.js';

describe('remove-delegation', () => {
  let world: World;
  let admin: string;
  const spec = apiSpecification(() => world);

  beforeAll(async () => {
    world = await startStandalone();
    admin = await world.asAdmin();
  });
  afterAll(() => world.close());

  it('given a delegation, removes it: 200 and DelegationLeft', async () => {
    const missionId = randomUUID();
    await spec
      .given([
        missionStreamId(missionId),
        [
          missionOpened(missionId),
          {
            type: 'DelegationJoined',
            data: { missionId, country: 'KZ', headOfDelegation: 'Yerlan Nurlanovich' },
          },
        ],
      ])
      .when((http) => http.delete(`/api/v1/missions/${missionId}/delegations/kz`).set(bearer(admin)))
      .then(
        expectResponse(200, {
          id: missionId,
          streamVersion: '2',
          eventIds: [expect.any(String)],
          appended: true,
        }),
        expectNewEvents(missionStreamId(missionId), [
          { type: 'DelegationLeft', data: { missionId, country: 'KZ' } },
        ]),
      );
  });

  it('given no such delegation, refuses with 422 and appends nothing', async () => {
    const missionId = randomUUID();
    await spec
      .given([missionStreamId(missionId), [missionOpened(missionId)]])
      .when((http) => http.delete(`/api/v1/missions/${missionId}/delegations/KZ`).set(bearer(admin)))
      .then(expectProblem(422, /no delegation of KZ/), expectNoNewEvents());
  });
});
