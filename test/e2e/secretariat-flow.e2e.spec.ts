/**
 * The whole secretariat flow over HTTP, in both run modes: standalone (one process on PGlite) and
 * distributed (gateway → gRPC → missions and accreditation hosts, Postgres, Kafka-fed read models).
 * From an empty platform to an accredited and then revoked observer; a CSV import taken once; a
 * person erased with no plaintext of them left in the store or any read-model table.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { applicationStream, kyrgyzstan2023LtoCall } from '#accreditation';
import { missionStreamId } from '#missions';
import { startDistributed } from './distributed.js';
import { anna, CSV, kyrgyzMission } from './fixtures.js';
import { bearer, startStandalone, type World } from './harness.js';
import { importReport } from './import-jobs.js';

const RULE_SET = 'kg-2023-parliamentary-lto';

describe.each([
  ['standalone', startStandalone],
  ['distributed', startDistributed],
] as const)('the secretariat flow over HTTP (%s)', (mode, start) => {
  let world: World;
  let admin: string;
  let secretariat: string;
  let analyst: string;
  let secretariatId: string;
  let missionId: string;
  let annaId: string;
  let annaPersonId: string;
  const api = () => `/api/v1/missions/${missionId}`;

  const post = (token: string, path: string, body?: object) =>
    world.http.post(`${api()}${path}`).set(bearer(token)).send(body);
  const get = (token: string, path: string) => world.http.get(`${api()}${path}`).set(bearer(token));
  const inStatus = (id: string, status: string) =>
    world.eventually(async () => {
      const response = await get(secretariat, `/applications/${id}`);
      expect(response.status).toBe(200);
      expect(response.body.status).toBe(status);
      return response.body;
    });

  beforeAll(async () => {
    world = await start();
    admin = await world.asAdmin();
  }, 180_000);
  afterAll(() => world?.close(), 60_000);

  it(`runs ${mode}, healthy to a probe without a token`, async () => {
    expect(world.mode).toBe(mode);
    const health = await world.http.get('/health');
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('ok');
    expect((await world.http.get('/api/v1/missions')).status).toBe(401);
  });

  it('lets the administrator open a mission, register staff and grant them roles', async () => {
    const opened = await world.http.post('/api/v1/missions').set(bearer(admin)).send(kyrgyzMission);
    expect(opened.status).toBe(201);
    missionId = opened.body.id;

    secretariatId = await world.registerUser('aigerim@mission.example', 'aigerim-password-1');
    const analystId = await world.registerUser('nurlan@mission.example', 'nurlan-password-1');
    secretariat = await world.login('aigerim@mission.example', 'aigerim-password-1');
    analyst = await world.login('nurlan@mission.example', 'nurlan-password-1');
    for (const [userId, role] of [
      [secretariatId, 'secretariat'],
      [analystId, 'analyst'],
    ] as const) {
      const granted = await post(admin, '/staff', { userId, role });
      expect(granted.status).toBe(201);
    }
    // The guard knows the roles once identity has projected them; the mission view once it has caught up.
    const detail = await world.eventually(async () => {
      const response = await world.http.get(api()).set(bearer(secretariat));
      expect(response.status).toBe(200);
      expect(response.body.staff).toHaveLength(2);
      return response.body;
    });
    expect(detail).toMatchObject({ missionId, hostCountry: 'KG', status: 'open' });
    await world.eventually(async () => expect((await get(analyst, '')).status).toBe(200));
  });

  it('lets the secretariat add a delegation, with the secretariat as the actor of the event', async () => {
    const response = await world.http
      .post(`${api()}/delegations`)
      .set(bearer(secretariat))
      .send({ country: 'DE', headOfDelegation: 'Helga Brandt' });
    expect(response.status).toBe(201);
    // The write context crossed the gateway (and gRPC, when distributed) with the caller's identity.
    const last = (await world.store.readStream(missionStreamId(missionId))).at(-1);
    expect(last).toMatchObject({
      type: 'DelegationJoined',
      metadata: { actor: { userId: secretariatId, role: 'secretariat' } },
    });
    const detail = await world.eventually(async () => {
      const body = (await world.http.get(api()).set(bearer(analyst))).body;
      expect(body.delegations).toHaveLength(1);
      return body;
    });
    expect(detail.delegations).toEqual([{ country: 'DE', headOfDelegation: 'Helga Brandt' }]);
    expect(
      (
        await world.http
          .post(`${api()}/delegations`)
          .set(bearer(analyst))
          .send({ country: 'AT', headOfDelegation: 'X' })
      ).status,
    ).toBe(403);
  });

  it('publishes a rule set as data', async () => {
    const ruleSet = kyrgyzstan2023LtoCall(missionId);
    const response = await post(secretariat, '/rule-sets', ruleSet);
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ id: ruleSet.id, appended: true });
    await world.eventually(async () =>
      expect((await get(analyst, '/rule-sets')).body).toEqual({ items: [ruleSet], nextCursor: null }),
    );
  });

  it('takes an application with the person sealed in the event', async () => {
    const response = await post(secretariat, '/applications', anna);
    expect(response.status).toBe(201);
    annaId = response.body.id;
    const view = await inStatus(annaId, 'submitted');
    annaPersonId = view.personId;
    expect(view.person).toMatchObject({ erased: false, familyName: 'Schmidtbauer' });
    const [submitted] = await world.store.readStream(applicationStream(annaId));
    const sealed = JSON.stringify({ data: submitted.data, metadata: submitted.metadata });
    expect(sealed).toContain('ciphertext');
    expect(sealed).not.toMatch(/Schmidtbauer|C01X00T47/);
  });

  it('screens, approves, requests and grants accreditation; the badge is found', async () => {
    expect((await post(secretariat, `/applications/${annaId}/screen`, { ruleSetId: RULE_SET })).status).toBe(
      200,
    );
    expect((await inStatus(annaId, 'screened')).screening).toMatchObject({
      ruleSetId: RULE_SET,
      passed: true,
      failures: [],
    });
    expect((await post(secretariat, `/applications/${annaId}/approve`, {})).status).toBe(200);
    await inStatus(annaId, 'approved');
    const requested = await post(secretariat, `/applications/${annaId}/accreditation-request`, {
      hostBody: 'Central Election Commission of the Kyrgyz Republic',
    });
    expect(requested.status).toBe(200);
    await inStatus(annaId, 'requested');
    const granted = await post(secretariat, `/applications/${annaId}/grant`, {
      badgeNumber: 'KG-LTO-0001',
      validFrom: '2023-11-01T00:00:00Z',
      validTo: '2099-12-15T00:00:00Z',
      conditions: ['photo and video only from the area set by the commission chair'],
    });
    expect(granted.status).toBe(200);
    expect(granted.body).toMatchObject({ id: annaId, streamVersion: '4', appended: true });
    await inStatus(annaId, 'granted');
    const badge = await world.eventually(async () => {
      const response = await get(analyst, '/badges/KG-LTO-0001');
      expect(response.status).toBe(200);
      return response.body;
    });
    expect(badge).toMatchObject({ applicationId: annaId, status: 'granted' });
    const observers = await get(analyst, '/observers?delegation=DE&language=ru');
    expect(observers.body.items.map((o: { applicationId: string }) => o.applicationId)).toEqual([annaId]);
    // Erasing is refused while the accreditation is in force.
    expect((await post(secretariat, `/persons/${annaPersonId}/erase`)).status).toBe(422);
  });

  it('revokes the accreditation with a reason', async () => {
    const revoked = await post(secretariat, `/applications/${annaId}/revoke`, {
      reason: 'breach of the code of conduct',
    });
    expect(revoked.status).toBe(200);
    expect((await inStatus(annaId, 'revoked')).reason).toBe('breach of the code of conduct');
    await world.eventually(async () =>
      expect(
        (await get(analyst, '/observers')).body.items.map((o: { applicationId: string }) => o.applicationId),
      ).not.toContain(annaId),
    );
    expect((await post(secretariat, `/applications/${annaId}/reinstate`)).status).toBe(422);
  });

  describe('CSV import', () => {
    const importCsv = () =>
      world.http
        .post(`${api()}/applications/import`)
        .set(bearer(secretariat))
        .set('content-type', 'text/csv')
        .send(CSV);

    it('takes the good rows and refuses the bad one', async () => {
      const report = await importReport(world, secretariat, await importCsv());
      expect(report).toMatchObject({ created: 2, unchanged: 0, refused: 1 });
      expect(report.rows.map((r) => r.status)).toEqual(['created', 'created', 'refused']);
      await inStatus(report.rows[0].applicationId!, 'submitted');
    });

    it('creates nothing when the same file comes again', async () => {
      const before = await world.store.countEvents({ categories: ['application'] });
      const report = await importReport(world, secretariat, await importCsv());
      expect(report).toMatchObject({ created: 0, unchanged: 2, refused: 1 });
      expect(await world.store.countEvents({ categories: ['application'] })).toBe(before);
    });
  });

  it('erases a person: no plaintext of them left in the store or any read-model table', async () => {
    const erased = await post(secretariat, `/persons/${annaPersonId}/erase`);
    expect(erased.status).toBe(200);
    expect(erased.body).toMatchObject({ id: annaPersonId, appended: true });
    const view = await world.eventually(async () => {
      const body = await inStatus(annaId, 'revoked');
      expect(body.person.erased).toBe(true);
      return body;
    });
    expect(view.person).toMatchObject({
      erased: true,
      givenName: null,
      familyName: null,
      identityDocument: null,
    });

    const plaintext = ['Schmidtbauer', 'C01X00T47', 'anna.schmidtbauer@example.org', '1980-05-17'];
    // Every table of the one database: the store, the read models, checkpoints, inboxes, keys.
    const tables: { name: string }[] = await world.dataSource.query(
      "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
    );
    expect(tables.map((t) => t.name)).toEqual(
      expect.arrayContaining(['observa_events', 'accreditation_applications', 'auth_users']),
    );
    for (const { name } of tables) {
      const text = JSON.stringify(await world.dataSource.query(`SELECT t::text AS row FROM "${name}" t`));
      for (const value of plaintext)
        expect({ table: name, contains: text.includes(value) }).toEqual({ table: name, contains: false });
    }
    if (world.kafkaPayloads) {
      // Distributed: what the contexts published carries no plaintext either, and no identity event.
      const published = await world.kafkaPayloads();
      expect(published.length).toBeGreaterThan(10);
      const all = published.join('\n');
      for (const value of plaintext)
        expect({ kafka: value, contains: all.includes(value) }).toEqual({ kafka: value, contains: false });
      expect(all).toContain('DelegationJoined');
      expect(all).not.toMatch(
        /"type":"(UserRegistered|UserDisabled|PasswordChanged|LoginSucceeded|LoginFailed)"/,
      );
      expect(all).not.toContain('aigerim@mission.example');
    }
    // Others are still there, opened at query time: the table holds every person only sealed.
    const others = JSON.stringify(
      await world.dataSource.query('SELECT t::text FROM accreditation_applications t'),
    );
    expect(others).not.toContain('Novakova');
    const listed = await get(secretariat, '/applications');
    expect(listed.body.items.map((a: { person: { familyName: string } }) => a.person.familyName)).toContain(
      'Novakova',
    );
  });
});
