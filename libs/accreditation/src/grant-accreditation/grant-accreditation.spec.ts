/** grant-accreditation over HTTP, in one process: given these events, when this request, then this answer and these new events. */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DomainEvent } from '#event-sourcing';
import { httpSpec, stream } from '#testing';
import { missionId } from '../domain/application.examples.js';
import { applicationStream, badgeStream } from '../identities.js';
import {
  historyOf,
  staffRole,
  startAccreditationOverHttp,
  type AccreditationOverHttp,
} from '../over-http.spec-support.js';

const at = '2023-10-18T09:00:00.000Z';
const secretariat = 'user-secretariat-grant';
const grantBody = (badgeNumber: string) => ({
  badgeNumber,
  validFrom: '2023-10-20T00:00:00Z',
  validTo: '2023-12-15T00:00:00Z',
  conditions: ['polling stations of Bishkek only'],
});

const granted = (applicationId: string, badgeNumber: string): DomainEvent => ({
  type: 'AccreditationGranted',
  data: { applicationId, ...grantBody(badgeNumber), at },
});
const reserved = (applicationId: string, badgeNumber: string): DomainEvent => ({
  type: 'BadgeReserved',
  data: { missionId, badgeNumber, applicationId, at },
});

describe('grant accreditation (HTTP, one process)', () => {
  let host: AccreditationOverHttp;
  let auth: Record<string, string>;
  const spec = httpSpec(() => host);
  const grant = (applicationId: string, badgeNumber: string, key = randomUUID()) => ({
    path: `/api/v1/missions/${missionId}/applications/${applicationId}/grant`,
    send: grantBody(badgeNumber),
    key,
  });
  const post =
    ({ path, send, key }: ReturnType<typeof grant>) =>
    (http: AccreditationOverHttp['http']) =>
      http.post(path).set(auth).set('idempotency-key', key).send(send);

  beforeAll(async () => {
    host = await startAccreditationOverHttp(() => new Date(at));
    auth = await host.bearerFor(secretariat);
  });
  afterAll(() => host?.close());

  it('grants a requested application its badge: the number is reserved for the mission, then granted', async () => {
    const applicationId = randomUUID();
    await spec
      .given(
        staffRole(missionId, secretariat, 'secretariat'),
        stream(applicationStream(applicationId), historyOf(applicationId, 'requested')),
      )
      .when(post(grant(applicationId, 'kg-lto-0100')))
      .then({
        status: 200,
        body: { id: applicationId, appended: true },
        newEvents: [
          stream(badgeStream(missionId, 'KG-LTO-0100'), [reserved(applicationId, 'KG-LTO-0100')]),
          stream(applicationStream(applicationId), [granted(applicationId, 'KG-LTO-0100')]),
        ],
      });
  });

  it('answers a retried request with what it wrote, and writes nothing more', async () => {
    const applicationId = randomUUID();
    const request = grant(applicationId, 'KG-LTO-0101');
    await spec
      .given(
        staffRole(missionId, secretariat, 'secretariat'),
        stream(applicationStream(applicationId), historyOf(applicationId, 'requested')),
      )
      .when(post(request))
      .then({ status: 200, body: { appended: true } });
    await spec
      .given()
      .when(post(request))
      .then({ status: 200, body: { id: applicationId }, newEvents: [] });
  });

  it('refuses a number another observer of the mission holds (409), and writes nothing', async () => {
    const holder = randomUUID();
    const applicationId = randomUUID();
    await spec
      .given(
        staffRole(missionId, secretariat, 'secretariat'),
        stream(applicationStream(holder), [
          ...historyOf(holder, 'requested'),
          granted(holder, 'KG-LTO-0102'),
        ]),
        stream(badgeStream(missionId, 'KG-LTO-0102'), [reserved(holder, 'KG-LTO-0102')]),
        stream(applicationStream(applicationId), historyOf(applicationId, 'requested')),
      )
      .when(post(grant(applicationId, 'KG-LTO-0102')))
      .then({ status: 409, newEvents: [] });
  });

  it('takes over a number whose holder can no longer be granted it', async () => {
    const holder = randomUUID();
    const applicationId = randomUUID();
    await spec
      .given(
        staffRole(missionId, secretariat, 'secretariat'),
        stream(applicationStream(holder), [
          ...historyOf(holder, 'requested'),
          granted(holder, 'KG-LTO-0199'),
        ]),
        stream(badgeStream(missionId, 'KG-LTO-0103'), [reserved(holder, 'KG-LTO-0103')]),
        stream(applicationStream(applicationId), historyOf(applicationId, 'requested')),
      )
      .when(post(grant(applicationId, 'KG-LTO-0103')))
      .then({
        status: 200,
        newEvents: [
          stream(badgeStream(missionId, 'KG-LTO-0103'), [
            {
              type: 'BadgeReleased',
              data: {
                missionId,
                badgeNumber: 'KG-LTO-0103',
                applicationId: holder,
                reason: 'the application it was reserved for was not granted it',
                at,
              },
            },
            reserved(applicationId, 'KG-LTO-0103'),
          ]),
          stream(applicationStream(applicationId), [granted(applicationId, 'KG-LTO-0103')]),
        ],
      });
  });

  it('refuses to grant an application the host body was not asked about (422), and reserves nothing', async () => {
    const applicationId = randomUUID();
    await spec
      .given(
        staffRole(missionId, secretariat, 'secretariat'),
        stream(applicationStream(applicationId), historyOf(applicationId, 'approved')),
      )
      .when(post(grant(applicationId, 'KG-LTO-0104')))
      .then({ status: 422, body: { type: expect.stringContaining('domain-rule-broken') }, newEvents: [] });
  });

  it('does not know an application of another mission (404)', async () => {
    const applicationId = randomUUID();
    const elsewhere = historyOf(applicationId, 'requested').map((event) =>
      event.type === 'ApplicationSubmitted'
        ? { ...event, data: { ...event.data, missionId: 'mission-elsewhere' } }
        : event,
    );
    await spec
      .given(
        staffRole(missionId, secretariat, 'secretariat'),
        stream(applicationStream(applicationId), elsewhere),
      )
      .when(post(grant(applicationId, 'KG-LTO-0105')))
      .then({ status: 404, newEvents: [] });
  });

  it('takes no grant from an observer of the mission (403), and writes nothing', async () => {
    const applicationId = randomUUID();
    const observer = 'user-observer-grant';
    const asObserver = await host.bearerFor(observer);
    await spec
      .given(
        staffRole(missionId, observer, 'observer'),
        stream(applicationStream(applicationId), historyOf(applicationId, 'requested')),
      )
      .when((http) =>
        http.post(grant(applicationId, 'KG-LTO-0106').path).set(asObserver).send(grantBody('KG-LTO-0106')),
      )
      .then({ status: 403, newEvents: [] });
  });
});
