/** Adding a delegation over HTTP, in one process: given the mission's events, the answer and the new event. */
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

describe('add-delegation', () => {
  let world: World;
  let admin: string;
  const spec = apiSpecification(() => world);

  beforeAll(async () => {
    world = await startStandalone();
    admin = await world.asAdmin();
  });
  afterAll(() => world.close());

  it('given an open mission, adds the delegation: DelegationJoined, the country upper-cased', async () => {
    const missionId = randomUUID();
    await spec
      .given([missionStreamId(missionId), [missionOpened(missionId)]])
      .when((http) =>
        http
          .post(`/api/v1/missions/${missionId}/delegations`)
          .set(bearer(admin))
          .send({ country: 'kz', headOfDelegation: 'Yerlan Nurlanovich' }),
      )
      .then(
        expectResponse(201, {
          id: missionId,
          streamVersion: '1',
          eventIds: [expect.any(String)],
          appended: true,
        }),
        expectNewEvents(missionStreamId(missionId), [
          {
            type: 'DelegationJoined',
            data: { missionId, country: 'KZ', headOfDelegation: 'Yerlan Nurlanovich' },
          },
        ]),
      );
  });

  it('given the delegation already there, refuses with 422 and appends nothing', async () => {
    const missionId = randomUUID();
    await spec
      .given([
        missionStreamId(missionId),
        [
          missionOpened(missionId),
          { type: 'DelegationJoined', data: { missionId, country: 'KZ', headOfDelegation: 'Someone Else' } },
        ],
      ])
      .when((http) =>
        http
          .post(`/api/v1/missions/${missionId}/delegations`)
          .set(bearer(admin))
          .send({ country: 'KZ', headOfDelegation: 'Yerlan Nurlanovich' }),
      )
      .then(expectProblem(422, /already in the mission/), expectNoNewEvents());
  });

  it('given no mission, answers 404', async () => {
    await spec
      .given()
      .when((http) =>
        http
          .post(`/api/v1/missions/${randomUUID()}/delegations`)
          .set(bearer(admin))
          .send({ country: 'KZ', headOfDelegation: 'Yerlan Nurlanovich' }),
      )
      .then(expectProblem(404), expectNoNewEvents());
  });
});
