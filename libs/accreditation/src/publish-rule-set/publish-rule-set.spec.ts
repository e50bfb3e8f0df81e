/** publish-rule-set over HTTP, in one process: given these events, when this request, then this answer and these new events. */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { httpSpec, stream } from '#testing';
import { kyrgyzCall, missionId } from '../domain/application.examples.js';
import { ruleSetStream } from '../identities.js';
import {
  staffRole,
  startAccreditationOverHttp,
  type AccreditationOverHttp,
} from '../over-http.spec-support.js';

const at = '2023-09-20T09:00:00.000Z';
const secretariat = 'user-secretariat-rules';

describe('publish a rule set (HTTP, one process)', () => {
  let host: AccreditationOverHttp;
  let auth: Record<string, string>;
  const spec = httpSpec(() => host);
  const publish = (ruleSet: object) => (http: AccreditationOverHttp['http']) =>
    http
      .post(`/api/v1/missions/${missionId}/rule-sets`)
      .set(auth)
      .set('idempotency-key', randomUUID())
      .send(ruleSet);

  beforeAll(async () => {
    host = await startAccreditationOverHttp(() => new Date(at));
    auth = await host.bearerFor(secretariat);
  });
  afterAll(() => host?.close());

  it('publishes a version, taking the mission from the path when the rule set leaves it out', async () => {
    const { missionId: _, ...withoutMission } = { ...kyrgyzCall, id: 'kg-2023-published' };
    await spec
      .given(staffRole(missionId, secretariat, 'secretariat'))
      .when(publish(withoutMission))
      .then({
        status: 201,
        body: { id: 'kg-2023-published', appended: true },
        newEvents: [
          stream(ruleSetStream(missionId, 'kg-2023-published'), [
            { type: 'RuleSetPublished', data: { ruleSet: { ...withoutMission, missionId }, at } },
          ]),
        ],
      });
  });

  it('names every problem of a rule set that is not one (400), and writes nothing', async () => {
    await spec
      .given(staffRole(missionId, secretariat, 'secretariat'))
      .when(publish({ id: 'kg-2023-broken', version: 0, rules: 'none' }))
      .then({ status: 400, body: { errors: expect.arrayContaining([expect.anything()]) }, newEvents: [] });
  });

  it('refuses to rewrite a published version (422): a change is the next version', async () => {
    const ruleSet = { ...kyrgyzCall, id: 'kg-2023-rewritten' };
    await spec
      .given(
        staffRole(missionId, secretariat, 'secretariat'),
        stream(ruleSetStream(missionId, ruleSet.id), [{ type: 'RuleSetPublished', data: { ruleSet, at } }]),
      )
      .when(publish({ ...ruleSet, rules: ruleSet.rules.slice(1) }))
      .then({ status: 422, newEvents: [] });
  });
});
