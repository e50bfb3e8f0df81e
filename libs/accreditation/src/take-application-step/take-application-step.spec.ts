/** The application steps over HTTP, in one process: given these events, when this request, then this answer and these new events. */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { httpSpec, stream } from '#testing';
import { kyrgyzCall, missionId, validTo } from '../domain/application.examples.js';
import { applicationStream } from '../identities.js';
import {
  historyOf,
  staffRole,
  startAccreditationOverHttp,
  type AccreditationOverHttp,
} from '../over-http.spec-support.js';

const at = '2023-10-03T09:00:00.000Z';
const secretariat = 'user-secretariat-steps';

describe('the steps of an application (HTTP, one process)', () => {
  let host: AccreditationOverHttp;
  let auth: Record<string, string>;
  let now = new Date(at);
  const spec = httpSpec(() => host);
  const step =
    (applicationId: string, name: string, body: object = {}) =>
    (http: AccreditationOverHttp['http']) =>
      http
        .post(`/api/v1/missions/${missionId}/applications/${applicationId}/${name}`)
        .set(auth)
        .set('idempotency-key', randomUUID())
        .send(body);

  beforeAll(async () => {
    host = await startAccreditationOverHttp(() => now);
    auth = await host.bearerFor(secretariat);
  });
  afterAll(() => host?.close());

  it('approves a screened application, naming who approved it and the screening it rests on', async () => {
    const applicationId = randomUUID();
    await spec
      .given(
        staffRole(missionId, secretariat, 'secretariat'),
        stream(applicationStream(applicationId), historyOf(applicationId, 'screened')),
      )
      .when(step(applicationId, 'approve'))
      .then({
        status: 200,
        body: { id: applicationId, appended: true },
        newEvents: [
          stream(applicationStream(applicationId), [
            {
              type: 'ApplicationApproved',
              data: {
                applicationId,
                by: secretariat,
                reason: null,
                basedOn: { ruleSetId: kyrgyzCall.id, ruleSetVersion: kyrgyzCall.version },
                at,
              },
            },
          ]),
        ],
      });
  });

  it('refuses to approve an application that was not screened (422), and writes nothing', async () => {
    const applicationId = randomUUID();
    await spec
      .given(
        staffRole(missionId, secretariat, 'secretariat'),
        stream(applicationStream(applicationId), historyOf(applicationId, 'submitted')),
      )
      .when(step(applicationId, 'approve'))
      .then({ status: 422, newEvents: [] });
  });

  it('expires an accreditation once its badge is past validTo, and not before', async () => {
    const applicationId = randomUUID();
    const events = stream(applicationStream(applicationId), historyOf(applicationId, 'granted'));
    now = new Date('2023-12-01T00:00:00Z');
    await spec
      .given(staffRole(missionId, secretariat, 'secretariat'), events)
      .when(step(applicationId, 'expire'))
      .then({ status: 422, newEvents: [] });
    now = new Date('2023-12-16T00:00:00Z');
    await spec
      .given()
      .when(step(applicationId, 'expire'))
      .then({
        status: 200,
        newEvents: [
          stream(applicationStream(applicationId), [
            { type: 'AccreditationExpired', data: { applicationId, validTo, at: now.toISOString() } },
          ]),
        ],
      });
    now = new Date(at);
  });
});
