/**
 * screen-application over HTTP, in one process: given these events, when this request, then this
 * answer and these new events. The person is sealed with a key of their own, so the application is
 * given through its submission (the key is made then), the rule set as its event.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { httpSpec, stream } from '#testing';
import { applicant, kyrgyzCall, missionId } from '../domain/application.examples.js';
import type { PersonalData } from '../domain/application.js';
import { applicationIdFor, applicationStream, ruleSetStream } from '../identities.js';
import {
  staffRole,
  startAccreditationOverHttp,
  type AccreditationOverHttp,
} from '../over-http.spec-support.js';

const at = '2023-10-02T09:00:00.000Z';
const secretariat = 'user-secretariat-screen';

describe('screen an application (HTTP, one process)', () => {
  let host: AccreditationOverHttp;
  let auth: Record<string, string>;
  const spec = httpSpec(() => host);
  const post = (path: string, body: object) => (http: AccreditationOverHttp['http']) =>
    http
      .post(`/api/v1/missions/${missionId}${path}`)
      .set(auth)
      .set('idempotency-key', randomUUID())
      .send(body);
  const submitted = async (person: PersonalData): Promise<string> => {
    await spec
      .given()
      .when(post('/applications', { delegation: 'DE', role: 'LTO', person }))
      .then({ status: 201 });
    return applicationIdFor(missionId, person.nationality, person.identityDocument.number);
  };

  beforeAll(async () => {
    host = await startAccreditationOverHttp(() => new Date(at));
    auth = await host.bearerFor(secretariat);
    await spec
      .given(
        staffRole(missionId, secretariat, 'secretariat'),
        stream(ruleSetStream(missionId, kyrgyzCall.id), [
          { type: 'RuleSetPublished', data: { ruleSet: kyrgyzCall, at } },
        ]),
      )
      .when((http) => http.get(`/api/v1/missions/${missionId}/rule-sets`).set(auth))
      .then({ status: 200 });
  });
  afterAll(() => host?.close());

  it('names every rule the applicant fails, against the latest version of the rule set', async () => {
    const applicationId = await submitted(
      applicant({
        identityDocument: { kind: 'passport', number: 'SC-100', issuingCountry: 'KG' },
        nationality: 'KG',
      }),
    );
    await spec
      .given()
      .when(post(`/applications/${applicationId}/screen`, { ruleSetId: kyrgyzCall.id }))
      .then({
        status: 200,
        newEvents: [
          stream(applicationStream(applicationId), [
            {
              type: 'EligibilityScreened',
              data: {
                applicationId,
                ruleSetId: kyrgyzCall.id,
                ruleSetVersion: kyrgyzCall.version,
                passed: false,
                failures: [expect.objectContaining({ rule: 'excluded-nationality' })],
                at,
              },
            },
          ]),
        ],
      });
  });

  it('does not screen against a rule set the mission does not have (404), and writes nothing', async () => {
    const applicationId = await submitted(
      applicant({ identityDocument: { kind: 'passport', number: 'SC-200', issuingCountry: 'DE' } }),
    );
    await spec
      .given()
      .when(post(`/applications/${applicationId}/screen`, { ruleSetId: 'no-such-rule-set' }))
      .then({ status: 404, newEvents: [] });
  });
});
