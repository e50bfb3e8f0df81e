/**
 * erase-person over HTTP, in one process: given these events, when this request, then this answer
 * and these new events. The person's key is made at submission, so the application is given through it.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { httpSpec, stream } from '#testing';
import { applicant, missionId } from '../domain/application.examples.js';
import type { PersonalData } from '../domain/application.js';
import { applicationIdFor, applicationStream, personIdFor } from '../identities.js';
import {
  staffRole,
  startAccreditationOverHttp,
  type AccreditationOverHttp,
} from '../over-http.spec-support.js';

const at = '2023-12-20T09:00:00.000Z';
const secretariat = 'user-secretariat-erase';

describe('erase a person (HTTP, one process)', () => {
  let host: AccreditationOverHttp;
  let auth: Record<string, string>;
  const spec = httpSpec(() => host);
  const post =
    (path: string, body: object = {}) =>
    (http: AccreditationOverHttp['http']) =>
      http
        .post(`/api/v1/missions/${missionId}${path}`)
        .set(auth)
        .set('idempotency-key', randomUUID())
        .send(body);
  const submitted = async (document: string) => {
    const person: PersonalData = applicant({
      identityDocument: { kind: 'passport', number: document, issuingCountry: 'DE' },
    });
    await spec
      .given()
      .when(post('/applications', { delegation: 'DE', role: 'LTO', person }))
      .then({ status: 201 });
    return {
      applicationId: applicationIdFor(missionId, 'DE', document),
      personId: personIdFor(missionId, 'DE', document),
    };
  };

  beforeAll(async () => {
    host = await startAccreditationOverHttp(() => new Date(at));
    auth = await host.bearerFor(secretariat);
    await spec
      .given(staffRole(missionId, secretariat, 'secretariat'))
      .when(post('/rule-sets'))
      .then({ status: 400 });
  });
  afterAll(() => host?.close());

  it('forgets the person on their application, then answers for them as erased', async () => {
    const { applicationId, personId } = await submitted('ER-100');
    await spec
      .given()
      .when(post(`/persons/${personId}/erase`))
      .then({
        status: 200,
        body: { id: personId, appended: true },
        newEvents: [
          stream(applicationStream(applicationId), [
            { type: 'PersonErased', data: { applicationId, personId, by: secretariat, at } },
          ]),
        ],
      });
    const erased = await spec
      .given()
      .when((http) => http.get(`/api/v1/missions/${missionId}/applications/${applicationId}`).set(auth))
      .then({ status: 200 });
    expect(erased.body).toMatchObject({ person: { erased: true } });
  });

  it('does not know a person the mission never had (404), and writes nothing', async () => {
    await spec
      .given()
      .when(post(`/persons/${randomUUID()}/erase`))
      .then({ status: 404, newEvents: [] });
  });
});
