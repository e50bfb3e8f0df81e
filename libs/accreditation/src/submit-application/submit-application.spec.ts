/** submit-application over HTTP, in one process: given these events, when this request, then this answer and these new events. */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { httpSpec, stream } from '#testing';
import { anna, applicant, missionId } from '../domain/application.examples.js';
import { applicationIdFor, applicationStream, personIdFor } from '../identities.js';
import {
  staffRole,
  startAccreditationOverHttp,
  type AccreditationOverHttp,
} from '../over-http.spec-support.js';

const at = '2023-10-01T09:00:00.000Z';
const secretariat = 'user-secretariat-submit';

describe('submit an application (HTTP, one process)', () => {
  let host: AccreditationOverHttp;
  let auth: Record<string, string>;
  const spec = httpSpec(() => host);
  const submit =
    (person: object, key = randomUUID()) =>
    (http: AccreditationOverHttp['http']) =>
      http
        .post(`/api/v1/missions/${missionId}/applications`)
        .set(auth)
        .set('idempotency-key', key)
        .send({ delegation: 'DE', role: 'LTO', person });

  beforeAll(async () => {
    host = await startAccreditationOverHttp(() => new Date(at));
    auth = await host.bearerFor(secretariat);
  });
  afterAll(() => host?.close());

  it('seals the person before the application is written: only ciphertext reaches the store', async () => {
    const applicationId = applicationIdFor(missionId, 'DE', anna.identityDocument.number);
    const personId = personIdFor(missionId, 'DE', anna.identityDocument.number);
    await spec
      .given(staffRole(missionId, secretariat, 'secretariat'))
      .when(submit(anna))
      .then({
        status: 201,
        body: { id: applicationId, appended: true },
        newEvents: [
          stream(applicationStream(applicationId), [
            {
              type: 'ApplicationSubmitted',
              data: {
                applicationId,
                missionId,
                delegation: 'DE',
                role: 'LTO',
                personId,
                person: expect.objectContaining({ personId, alg: 'A256GCM', ciphertext: expect.any(String) }),
                at,
              },
            },
          ]),
        ],
      });
  });

  it('creates nothing for the same person sent again', async () => {
    const person = applicant({
      identityDocument: { kind: 'passport', number: 'S-200', issuingCountry: 'DE' },
    });
    await spec
      .given(staffRole(missionId, secretariat, 'secretariat'))
      .when(submit(person))
      .then({ status: 201 });
    await spec.given().when(submit(person)).then({ status: 422, newEvents: [] });
  });

  it('refuses an application whose conflict-of-interest questions are not all answered (422), and writes nothing', async () => {
    const person = {
      ...applicant({ identityDocument: { kind: 'passport', number: 'S-300', issuingCountry: 'DE' } }),
      declarations: { conflictsOfInterest: {}, documentsProvided: [] },
    };
    await spec
      .given(staffRole(missionId, secretariat, 'secretariat'))
      .when(submit(person))
      .then({ status: 422, newEvents: [] });
  });
});
