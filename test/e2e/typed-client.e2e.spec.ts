/**
 * A client as a partner would build one: types generated from the OpenAPI document (`npm run
 * api:types`, openapi-typescript, into test/e2e/generated/), calls made with openapi-fetch. It runs the
 * secretariat's flow in both run modes, typed end to end: a path, a field or a value the document
 * does not have fails `npm run typecheck`; and every answer it gets is checked against the document
 * the app serves, as the harness checks supertest's.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import createClient, { type Client, type Middleware } from 'openapi-fetch';
import { kyrgyzstan2023LtoCall } from '#accreditation';
import { localUrl } from '#platform';
import { contractOf, type AnswerCheck, type OpenApiDocument } from './contract.js';
import { startDistributed } from './distributed.js';
import { noConflicts } from './fixtures.js';
import { ADMIN, startStandalone, type World } from './harness.js';
import type { components, paths } from './generated/observa-api.js';

type Application = components['schemas']['ApplicationView'];

const SECRETARIAT = { email: 'cholpon@mission.example', password: 'cholpon-long-passphrase-3' };

/** Every answer through the document's contract before the caller sees it. */
const checkedBy = (check: AnswerCheck): Middleware => ({
  async onResponse({ request, response }) {
    const text = await response.clone().text();
    const type = response.headers.get('content-type') ?? '';
    check(request.method, request.url, {
      status: response.status,
      headers: Object.fromEntries(response.headers.entries()),
      body: /json/.test(type) && text ? JSON.parse(text) : {},
      text,
    });
    return response;
  },
});

describe.each([
  ['standalone', startStandalone],
  ['distributed', startDistributed],
] as const)('a client generated from the OpenAPI document (%s)', (_mode, start) => {
  let world: World;
  let api: Client<paths>;
  let admin: string;
  let secretariat: string;
  let missionId: string;
  let applicationId: string;
  const as = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    world = await start();
    const document = (await world.http.get('/api/docs-json')).body as OpenApiDocument;
    api = createClient<paths>({ baseUrl: localUrl(world.app) });
    api.use(checkedBy(contractOf(document)));
  }, 180_000);
  afterAll(() => world?.close(), 60_000);

  const token = async (email: string, password: string): Promise<string> => {
    const { data, error } = await api.POST('/api/v1/auth/token', { body: { email, password } });
    if (!data) throw new Error(`login of ${email} refused: ${error?.detail}`);
    expect(data.tokenType).toBe('Bearer');
    return data.accessToken;
  };
  /** The application once the read model shows it in `status`. */
  const inStatus = (status: Application['status']): Promise<Application> =>
    world.eventually(async () => {
      const { data } = await api.GET('/api/v1/missions/{missionId}/applications/{applicationId}', {
        params: { path: { missionId, applicationId } },
        ...as(secretariat),
      });
      expect(data?.status).toBe(status);
      return data!;
    });

  it('is healthy to a probe without a token, and refuses the API without one (problem+json)', async () => {
    const health = await api.GET('/health');
    expect(health.response.status).toBe(200);
    const refused = await api.GET('/api/v1/missions');
    expect(refused.response.status).toBe(401);
    expect(refused.error).toMatchObject({ status: 401, title: 'Unauthorized' });
  });

  it('opens a mission and staffs its secretariat', async () => {
    admin = await token(ADMIN.email, ADMIN.password);
    const opened = await api.POST('/api/v1/missions', {
      body: {
        name: 'International Election Observation Mission, Kyrgyz Republic 2023',
        organisation: 'CIS Interparliamentary Assembly',
        hostCountry: 'KG',
        election: { kind: 'parliamentary', date: '2023-11-30', rounds: 1 },
      },
      ...as(admin),
    });
    expect(opened.response.status).toBe(201);
    missionId = opened.data!.id;

    const registered = await api.POST('/api/v1/users', { body: SECRETARIAT, ...as(admin) });
    const userId = registered.data!.id;
    const granted = await api.POST('/api/v1/missions/{missionId}/staff', {
      params: { path: { missionId } },
      body: { userId, role: 'secretariat' },
      ...as(admin),
    });
    expect(granted.data?.appended).toBe(true);
    secretariat = await world.eventually(() => token(SECRETARIAT.email, SECRETARIAT.password));
    const mission = await world.eventually(async () => {
      const { data } = await api.GET('/api/v1/missions/{missionId}', {
        params: { path: { missionId } },
        ...as(secretariat),
      });
      expect(data?.staff).toEqual([{ userId, roles: ['secretariat'] }]);
      return data!;
    });
    expect(mission).toMatchObject({ hostCountry: 'KG', status: 'open', election: { rounds: 1 } });
  });

  it('publishes the rule set and takes in an application', async () => {
    const ruleSet = kyrgyzstan2023LtoCall(missionId);
    const published = await api.POST('/api/v1/missions/{missionId}/rule-sets', {
      params: { path: { missionId } },
      body: ruleSet,
      ...as(secretariat),
    });
    expect(published.data).toMatchObject({ id: ruleSet.id, appended: true });
    const ruleSets = await world.eventually(async () => {
      const { data } = await api.GET('/api/v1/missions/{missionId}/rule-sets', {
        params: { path: { missionId } },
        ...as(secretariat),
      });
      expect(data?.items).toHaveLength(1);
      return data!;
    });
    expect(ruleSets.nextCursor).toBeNull();
    expect(ruleSets.items[0].rules.map((rule) => rule.kind)).toEqual(ruleSet.rules.map((rule) => rule.kind));

    const submitted = await api.POST('/api/v1/missions/{missionId}/applications', {
      params: { path: { missionId } },
      body: {
        delegation: 'DE',
        role: 'LTO',
        person: {
          names: { latin: { given: 'Anna', family: 'Schmidtbauer' }, local: null },
          dateOfBirth: '1980-05-17',
          nationality: 'DE',
          otherCitizenships: [],
          identityDocument: { kind: 'passport', number: 'C01X00T47', issuingCountry: 'DE' },
          contacts: [{ kind: 'email', value: 'anna.schmidtbauer@example.org' }],
          languages: ['de', 'en', 'ru'],
          declarations: {
            conflictsOfInterest: noConflicts,
            documentsProvided: ['passport', 'photo'],
          },
        },
      },
      ...as(secretariat),
    });
    expect(submitted.response.status).toBe(201);
    applicationId = submitted.data!.id;
    const application = await inStatus('submitted');
    expect(application.person).toMatchObject({ erased: false, familyName: 'Schmidtbauer', localName: null });
    expect(application.badge).toBeNull();
  });

  it('screens, approves, requests, grants; the badge is found; then revokes it', async () => {
    const path = { missionId, applicationId };
    const screened = await api.POST('/api/v1/missions/{missionId}/applications/{applicationId}/screen', {
      params: { path },
      body: { ruleSetId: 'kg-2023-parliamentary-lto' },
      ...as(secretariat),
    });
    expect(screened.response.status).toBe(200);
    expect((await inStatus('screened')).screening).toMatchObject({ passed: true, failures: [] });

    await api.POST('/api/v1/missions/{missionId}/applications/{applicationId}/approve', {
      params: { path },
      body: {},
      ...as(secretariat),
    });
    await inStatus('approved');
    await api.POST('/api/v1/missions/{missionId}/applications/{applicationId}/accreditation-request', {
      params: { path },
      body: { hostBody: 'Central Election Commission of the Kyrgyz Republic' },
      ...as(secretariat),
    });
    await inStatus('requested');
    const granted = await api.POST('/api/v1/missions/{missionId}/applications/{applicationId}/grant', {
      params: { path },
      body: {
        badgeNumber: 'KG-LTO-0001',
        validFrom: '2023-11-01T00:00:00Z',
        validTo: '2099-12-15T00:00:00Z',
        conditions: ['photo and video only from the area set by the commission chair'],
      },
      ...as(secretariat),
    });
    expect(granted.data).toMatchObject({ id: applicationId, streamVersion: '4', appended: true });
    await inStatus('granted');

    const badge = await world.eventually(async () => {
      const { data } = await api.GET('/api/v1/missions/{missionId}/badges/{badgeNumber}', {
        params: { path: { missionId, badgeNumber: 'kg-lto-0001' } },
        ...as(secretariat),
      });
      expect(data?.status).toBe('granted');
      return data!;
    });
    expect(badge.badge).toMatchObject({ number: 'KG-LTO-0001', validTo: '2099-12-15T00:00:00Z' });

    // Erasing is refused while the accreditation is in force: a 422 problem, typed as the document says.
    const refused = await api.POST('/api/v1/missions/{missionId}/persons/{personId}/erase', {
      params: { path: { missionId, personId: badge.personId } },
      ...as(secretariat),
    });
    expect(refused.response.status).toBe(422);
    expect(refused.error?.type).toBe('urn:observa:problem:domain-rule-broken');

    const revoked = await api.POST('/api/v1/missions/{missionId}/applications/{applicationId}/revoke', {
      params: { path },
      body: { reason: 'breach of the code of conduct' },
      ...as(secretariat),
    });
    expect(revoked.data?.appended).toBe(true);
    expect((await inStatus('revoked')).reason).toBe('breach of the code of conduct');
  });

  it('names the field at fault in a validation problem', async () => {
    const { response, error } = await api.POST('/api/v1/missions/{missionId}/delegations', {
      params: { path: { missionId } },
      body: { country: 'Germany', headOfDelegation: 'Helga Brandt' },
      ...as(secretariat),
    });
    expect(response.status).toBe(400);
    expect(error?.errors?.map((e) => e.field)).toEqual(['country']);
  });

  it('answers a list as a page, and names a bad page parameter', async () => {
    const page = await api.GET('/api/v1/missions/{missionId}/applications', {
      params: { path: { missionId }, query: { limit: 1 } },
      ...as(secretariat),
    });
    expect(page.data?.items.map((application) => application.applicationId)).toEqual([applicationId]);
    expect(page.data?.nextCursor).toBeNull();

    const badLimit = await api.GET('/api/v1/missions/{missionId}/observers', {
      params: { path: { missionId }, query: { limit: 0 } },
      ...as(secretariat),
    });
    expect(badLimit.response.status).toBe(400);
    expect(badLimit.error?.errors?.map((e) => e.field)).toEqual(['limit']);
    const badCursor = await api.GET('/api/v1/missions', {
      params: { query: { cursor: 'not a cursor' } },
      ...as(admin),
    });
    expect(badCursor.response.status).toBe(400);
    expect(badCursor.error?.errors?.map((e) => e.field)).toEqual(['cursor']);
  });
});
