/**
 * The accreditation context over HTTP, standalone on PGlite: a secretariat from an empty mission to an
 * accredited and then revoked observer; screening that names every failed rule; CSV and XLSX imports
 * that create nothing twice; and erasing a person so that no plaintext of them remains anywhere.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import ExcelJS from 'exceljs';
import { applicationStream, kyrgyzstan2023LtoCall } from '#accreditation';
import { findChainBreak } from '#event-sourcing';
import { startDistributed } from './distributed.js';
import { anna, boris, CSV, HEADER, kazakhMission, kubat, kyrgyzMission } from './fixtures.js';
import { bearer, startStandalone, type World } from './harness.js';
import { importReport } from './import-jobs.js';

const PROBLEM = /^application\/problem\+json/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe.each([
  ['standalone', startStandalone],
  ['distributed', startDistributed],
] as const)('accreditation over HTTP (%s)', (_mode, start) => {
  let world: World;
  let admin: string;
  let secretariat: string;
  let analyst: string;
  let observer: string;
  let outsider: string;
  let missionId: string;
  let annaId: string;
  let annaPersonId: string;
  const api = () => `/api/v1/missions/${missionId}`;

  const post = (token: string, path: string, body?: object) =>
    world.http.post(`${api()}${path}`).set(bearer(token)).send(body);
  const get = (token: string, path: string) => world.http.get(`${api()}${path}`).set(bearer(token));
  const application = (id: string) =>
    world.eventually(async () => {
      const response = await get(secretariat, `/applications/${id}`);
      expect(response.status).toBe(200);
      return response.body;
    });
  const inStatus = (id: string, status: string) =>
    world.eventually(async () => {
      const body = await application(id);
      expect(body.status).toBe(status);
      return body;
    });

  beforeAll(async () => {
    world = await start();
    admin = await world.asAdmin();
    const person = async (email: string) => {
      const userId = await world.registerUser(email, `${email}-password-1`);
      return { userId, token: await world.login(email, `${email}-password-1`) };
    };
    const [aigerim, nurlan, bakyt, dana] = await Promise.all(
      [
        'aigerim@mission.example',
        'nurlan@mission.example',
        'bakyt@mission.example',
        'dana@other.example',
      ].map(person),
    );
    ({ token: secretariat } = aigerim);
    ({ token: analyst } = nurlan);
    ({ token: observer } = bakyt);
    ({ token: outsider } = dana);
    const opened = await world.http.post('/api/v1/missions').set(bearer(admin)).send(kyrgyzMission);
    expect(opened.status).toBe(201);
    missionId = opened.body.id;
    const other = await world.http.post('/api/v1/missions').set(bearer(admin)).send(kazakhMission);
    for (const [mission, user, role] of [
      [missionId, aigerim.userId, 'secretariat'],
      [missionId, nurlan.userId, 'analyst'],
      [missionId, bakyt.userId, 'observer'],
      [other.body.id as string, dana.userId, 'secretariat'],
    ] as const) {
      const granted = await world.http
        .post(`/api/v1/missions/${mission}/staff`)
        .set(bearer(admin))
        .send({ userId: user, role });
      expect(granted.status).toBe(201);
    }
    for (const token of [secretariat, analyst])
      await world.eventually(async () => expect((await get(token, '/applications')).status).toBe(200));
    await world.eventually(async () => expect((await get(observer, '/applications')).status).toBe(403));
  }, 180_000);
  afterAll(() => world?.close(), 60_000);

  it('lists every accreditation route in the OpenAPI document', async () => {
    const paths = Object.keys((await world.http.get('/api/docs-json')).body.paths);
    const routes = [
      'rule-sets',
      'applications',
      'applications/import',
      'imports/{jobId}',
      'applications/{applicationId}',
      ...[
        'screen',
        'approve',
        'reject',
        'accreditation-request',
        'grant',
        'refuse',
        'suspend',
        'reinstate',
        'revoke',
        'expire',
      ].map((step) => `applications/{applicationId}/${step}`),
      'observers',
      'badges/{badgeNumber}',
      'persons/{personId}/erase',
    ];
    expect(paths).toEqual(
      expect.arrayContaining(routes.map((route) => `/api/v1/missions/{missionId}/${route}`)),
    );
  });

  describe('rule sets', () => {
    it('refuses a rule set with problems, naming each of them', async () => {
      const response = await post(secretariat, '/rule-sets', {
        id: 'broken',
        version: 0,
        election: { country: 'Kyrgyzstan', kind: 'parliamentary', date: '2023-11-31' },
        rules: [{ kind: 'excluded-occupation', occupations: ['astronaut'] }, { kind: 'be-nice' }],
      });
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toMatch(PROBLEM);
      expect(response.body.errors.map((e: { field: string }) => e.field)).toEqual(
        expect.arrayContaining([
          'version',
          'election.country',
          'election.date',
          'rules[0].occupations[0]',
          'rules[1].kind',
        ]),
      );
      expect(await get(secretariat, '/rule-sets').then((r) => r.body)).toEqual({
        items: [],
        nextCursor: null,
      });
    });

    it('publishes the Kyrgyz LTO call as data, and lists it', async () => {
      const ruleSet = kyrgyzstan2023LtoCall(missionId);
      const response = await post(secretariat, '/rule-sets', ruleSet);
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ id: ruleSet.id, streamVersion: '0', appended: true });
      const again = await post(secretariat, '/rule-sets', ruleSet);
      expect(again.body).toMatchObject({ appended: false });
      await world.eventually(async () =>
        expect((await get(analyst, '/rule-sets')).body).toEqual({ items: [ruleSet], nextCursor: null }),
      );
    });

    it('keeps rule sets to the secretariat and the head of mission', async () => {
      const ruleSet = { ...kyrgyzstan2023LtoCall(missionId), version: 2 };
      expect((await post(analyst, '/rule-sets', ruleSet)).status).toBe(403);
      expect((await post(outsider, '/rule-sets', ruleSet)).status).toBe(404);
    });
  });

  describe('the secretariat flow', () => {
    it('takes an application with the person sealed in the event', async () => {
      const response = await post(secretariat, '/applications', anna);
      expect(response.status).toBe(201);
      expect(response.body).toEqual({
        id: expect.stringMatching(UUID),
        streamVersion: '0',
        eventIds: [expect.stringMatching(UUID)],
        appended: true,
      });
      annaId = response.body.id;
      const [submitted] = await world.store.readStream(applicationStream(annaId));
      expect(submitted.data.person).toEqual({
        personId: expect.stringMatching(UUID),
        alg: 'A256GCM',
        iv: expect.any(String),
        tag: expect.any(String),
        ciphertext: expect.any(String),
      });
      expect(JSON.stringify({ data: submitted.data, metadata: submitted.metadata })).not.toMatch(
        /Schmidtbauer|C01X00T47|anna\.schmidtbauer/,
      );
      const view = await application(annaId);
      annaPersonId = view.personId;
      expect(view).toMatchObject({
        status: 'submitted',
        delegation: 'DE',
        role: 'LTO',
        person: {
          erased: false,
          givenName: 'Anna',
          familyName: 'Schmidtbauer',
          identityDocument: { number: 'C01X00T47' },
        },
      });
    });

    it('answers a retry with the same Idempotency-Key with what it wrote, appending nothing', async () => {
      const carla = {
        ...boris,
        delegation: 'IT',
        person: {
          ...boris.person,
          names: { latin: { given: 'Carla', family: 'Bianchi' }, local: null },
          nationality: 'IT',
          identityDocument: { kind: 'passport', number: 'YA1234567', issuingCountry: 'IT' },
        },
      };
      const send = () =>
        world.http
          .post(`${api()}/applications`)
          .set(bearer(secretariat))
          .set('idempotency-key', 'carla-1')
          .send(carla);
      const first = await send();
      const again = await send();
      expect(first.status).toBe(201);
      expect(again.status).toBe(201);
      expect(again.body).toEqual({ ...first.body, appended: false });
      expect(await world.store.readStream(applicationStream(first.body.id))).toHaveLength(1);
      const changed = await world.http
        .post(`${api()}/applications`)
        .set(bearer(secretariat))
        .set('idempotency-key', 'carla-1')
        .send({ ...carla, role: 'STO' });
      expect(changed.status).toBe(409);
    });

    it('refuses the same person twice, and bad input with the fields named', async () => {
      expect((await post(secretariat, '/applications', anna)).status).toBe(422);
      const bad = await post(secretariat, '/applications', { ...anna, role: 'TOURIST', extra: 1 });
      expect(bad.status).toBe(400);
      expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(
        expect.arrayContaining(['role', 'extra']),
      );
      expect((await post(analyst, '/applications', boris)).status).toBe(403);
    });

    it('screens, approves, requests, grants; the observer is found by delegation, language and badge', async () => {
      const screened = await post(secretariat, `/applications/${annaId}/screen`, {
        ruleSetId: 'kg-2023-parliamentary-lto',
      });
      expect(screened.status).toBe(200);
      expect((await inStatus(annaId, 'screened')).screening).toEqual({
        ruleSetId: 'kg-2023-parliamentary-lto',
        ruleSetVersion: 1,
        passed: true,
        failures: [],
      });
      expect((await post(secretariat, `/applications/${annaId}/approve`, {})).status).toBe(200);
      expect(
        (
          await post(secretariat, `/applications/${annaId}/accreditation-request`, {
            hostBody: 'Central Election Commission of the Kyrgyz Republic',
          })
        ).status,
      ).toBe(200);
      const granted = await post(secretariat, `/applications/${annaId}/grant`, {
        badgeNumber: 'KG-LTO-0001',
        validFrom: '2023-11-01T00:00:00Z',
        validTo: '2099-12-15T00:00:00Z',
        conditions: ['photo and video only from the area set by the commission chair'],
      });
      expect(granted.status).toBe(200);
      expect(granted.body).toMatchObject({ id: annaId, streamVersion: '4', appended: true });
      await inStatus(annaId, 'granted');

      const observers = await get(analyst, '/observers?delegation=DE&role=LTO&language=ru');
      expect(observers.status).toBe(200);
      expect(observers.body.items.map((o: { applicationId: string }) => o.applicationId)).toEqual([annaId]);
      expect((await get(analyst, '/observers?language=kk')).body).toEqual({ items: [], nextCursor: null });
      const badge = await get(analyst, '/badges/KG-LTO-0001');
      expect(badge.body).toMatchObject({
        applicationId: annaId,
        status: 'granted',
        badge: {
          number: 'KG-LTO-0001',
          conditions: ['photo and video only from the area set by the commission chair'],
        },
      });
      expect((await get(analyst, '/badges/KG-LTO-9999')).status).toBe(404);
      expect((await get(observer, '/observers')).status).toBe(403);
    });

    it('refuses a badge number another observer holds (409)', async () => {
      const submitted = await post(secretariat, '/applications', boris);
      const borisId = submitted.body.id;
      await post(secretariat, `/applications/${borisId}/screen`, { ruleSetId: 'kg-2023-parliamentary-lto' });
      await post(secretariat, `/applications/${borisId}/approve`, {});
      await post(secretariat, `/applications/${borisId}/accreditation-request`, { hostBody: 'CEC' });
      const taken = await post(secretariat, `/applications/${borisId}/grant`, {
        badgeNumber: 'KG-LTO-0001',
        validFrom: '2023-11-01T00:00:00Z',
        validTo: '2099-12-15T00:00:00Z',
      });
      expect(taken.status).toBe(409);
      expect(taken.headers['content-type']).toMatch(PROBLEM);
      await inStatus(borisId, 'requested');
    });

    it('suspends, reinstates and revokes', async () => {
      expect(
        (
          await post(secretariat, `/applications/${annaId}/suspend`, {
            reason: 'left the area of responsibility',
          })
        ).status,
      ).toBe(200);
      expect((await inStatus(annaId, 'suspended')).reason).toBe('left the area of responsibility');
      expect((await post(secretariat, `/applications/${annaId}/reinstate`)).status).toBe(200);
      await inStatus(annaId, 'granted');
      expect((await post(secretariat, `/applications/${annaId}/erase-nothing`)).status).toBe(404);
      const revoked = await post(secretariat, `/applications/${annaId}/revoke`, {
        reason: 'breach of the code of conduct',
      });
      expect(revoked.status).toBe(200);
      const view = await inStatus(annaId, 'revoked');
      expect(view.reason).toBe('breach of the code of conduct');
      expect(
        (await get(analyst, '/observers')).body.items.map((o: { applicationId: string }) => o.applicationId),
      ).not.toContain(annaId);
      expect((await post(secretariat, `/applications/${annaId}/reinstate`)).status).toBe(422);
    });

    it("hides the mission from another mission's secretariat", async () => {
      expect((await get(outsider, `/applications/${annaId}`)).status).toBe(404);
      expect((await post(outsider, `/applications/${annaId}/approve`, {})).status).toBe(404);
    });
  });

  it('names every rule a screening failed, and approval is then refused', async () => {
    const submitted = await post(secretariat, '/applications', kubat);
    expect(submitted.status).toBe(201);
    const id = submitted.body.id;
    expect(
      (await post(secretariat, `/applications/${id}/screen`, { ruleSetId: 'kg-2023-parliamentary-lto' }))
        .status,
    ).toBe(200);
    const { screening } = await inStatus(id, 'screened');
    expect(screening.passed).toBe(false);
    expect(screening.failures).toEqual([
      { rule: 'excluded-occupation', reason: 'declares: member of parliament' },
      { rule: 'must-be-non-partisan', reason: 'declares: campaigns for a party or candidate' },
      {
        rule: 'excluded-nationality',
        reason: 'citizens of the host country cannot observe for an international mission: citizen of KG',
      },
    ]);
    const approve = await post(secretariat, `/applications/${id}/approve`, {});
    expect(approve.status).toBe(422);
    expect(approve.body.detail).toMatch(/failed eligibility screening/);
    expect((await post(secretariat, `/applications/${id}/reject`, { reason: 'not eligible' })).status).toBe(
      200,
    );
    expect(
      (await post(secretariat, `/applications/${id}/screen`, { ruleSetId: 'no-such-rules' })).status,
    ).toBe(404);
  });

  describe('bulk import', () => {
    const importCsv = (token = secretariat) =>
      world.http
        .post(`${api()}/applications/import`)
        .set(bearer(token))
        .set('content-type', 'text/csv')
        .send(CSV);

    it('takes the good rows of a CSV file and refuses the bad one with its errors', async () => {
      const accepted = await importCsv();
      expect(accepted.body).toMatchObject({ state: 'queued', progress: { done: 0, total: 3 } });
      const report = await importReport(world, secretariat, accepted);
      expect(report).toMatchObject({ created: 2, unchanged: 0, refused: 1 });
      const [jana, piotr, broken] = report.rows;
      expect(jana).toEqual({
        row: 2,
        status: 'created',
        applicationId: expect.stringMatching(UUID),
        errors: [],
      });
      expect(piotr).toMatchObject({ row: 3, status: 'created' });
      expect(broken.row).toBe(4);
      expect(broken.status).toBe('refused');
      expect(broken.errors.map((e) => e.field)).toEqual(
        expect.arrayContaining([
          'family_name',
          'date_of_birth',
          'nationality',
          'document_number',
          'languages',
          'role',
          'conflicts_of_interest',
        ]),
      );
      const view = await application(jana.applicationId!);
      expect(view.person).toMatchObject({
        givenName: 'Jana',
        familyName: 'Novakova',
        languages: ['cs', 'en', 'ru'],
      });
    });

    it('creates nothing when the same file comes again', async () => {
      const before = await world.store.countEvents({ categories: ['application'] });
      const report = await importReport(world, secretariat, await importCsv());
      expect(report).toMatchObject({ created: 0, unchanged: 2, refused: 1 });
      expect(report.rows.map((r) => r.status)).toEqual(['unchanged', 'unchanged', 'refused']);
      expect(await world.store.countEvents({ categories: ['application'] })).toBe(before);
    });

    it('reads an XLSX workbook, uploaded as multipart or sent as the body', async () => {
      const workbook = new ExcelJS.Workbook();
      const sheet = workbook.addWorksheet('Observers');
      sheet.addRow(HEADER.split(','));
      sheet.addRow([
        'Lina',
        'Berzina',
        '1988-03-04',
        'LV',
        'passport',
        'LV5566778',
        'lina@example.org',
        'lv;en',
        'LTO',
        'LV',
        'none',
        'passport',
      ]);
      sheet.addRow([
        'Matti',
        'Virtanen',
        new Date(Date.UTC(1972, 6, 1)),
        'FI',
        'passport',
        'FI1122334',
        '',
        'fi;sv;en',
        'STO',
        'FI',
        'none',
        '',
      ]);
      const file = Buffer.from(await workbook.xlsx.writeBuffer());

      const uploaded = await world.http
        .post(`${api()}/applications/import`)
        .set(bearer(secretariat))
        .attach('file', file, 'observers.xlsx');
      const report = await importReport(world, secretariat, uploaded);
      expect(report).toMatchObject({ created: 2, unchanged: 0, refused: 0 });
      const matti = await application(report.rows[1].applicationId!);
      expect(matti.person).toMatchObject({ familyName: 'Virtanen', dateOfBirth: '1972-07-01' });

      const raw = await world.http
        .post(`${api()}/applications/import`)
        .set(bearer(secretariat))
        .set('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .send(file);
      expect(await importReport(world, secretariat, raw)).toMatchObject({
        created: 0,
        unchanged: 2,
        refused: 0,
      });
    });

    it('refuses what is not a list, and an observer cannot import', async () => {
      const pdf = await world.http
        .post(`${api()}/applications/import`)
        .set(bearer(secretariat))
        .set('content-type', 'application/pdf')
        .send(Buffer.from('%PDF-1.4'));
      expect(pdf.status).toBe(415);
      const notXlsx = await world.http
        .post(`${api()}/applications/import`)
        .set(bearer(secretariat))
        .set('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .send(Buffer.from('not a zip'));
      expect(notXlsx.status).toBe(400);
      expect((await importCsv(observer)).status).toBe(403);
    });
  });

  describe('erasing a person', () => {
    const textOf = async (table: string): Promise<string> =>
      JSON.stringify(await world.dataSource.query(`SELECT t::text AS row FROM ${table} t`));

    it('is refused while the accreditation is in force', async () => {
      const borisId = (await get(secretariat, '/applications?status=requested')).body.items[0].applicationId;
      await post(secretariat, `/applications/${borisId}/grant`, {
        badgeNumber: 'KG-LTO-0002',
        validFrom: '2023-11-01T00:00:00Z',
        validTo: '2099-12-15T00:00:00Z',
      });
      const { personId } = await inStatus(borisId, 'granted');
      const refused = await post(secretariat, `/persons/${personId}/erase`);
      expect(refused.status).toBe(422);
      expect((await application(borisId)).person.erased).toBe(false);
    });

    it('leaves no plaintext of the person in the store or the read models, and the history verifiable', async () => {
      expect((await post(analyst, `/persons/${annaPersonId}/erase`)).status).toBe(403);
      const erased = await post(secretariat, `/persons/${annaPersonId}/erase`);
      expect(erased.status).toBe(200);
      expect(erased.body).toMatchObject({
        id: annaPersonId,
        appended: true,
        eventIds: [expect.stringMatching(UUID)],
      });

      const view = await world.eventually(async () => {
        const body = await application(annaId);
        expect(body.person.erased).toBe(true);
        return body;
      });
      expect(view).toMatchObject({
        status: 'revoked',
        personId: annaPersonId,
        person: {
          erased: true,
          givenName: null,
          familyName: null,
          identityDocument: null,
          contacts: [],
          languages: [],
        },
      });

      const plaintext = ['Schmidtbauer', 'C01X00T47', 'anna.schmidtbauer@example.org', '1980-05-17'];
      // Every table of the database: the store, the read models, checkpoints, inboxes, keys.
      const tables: { name: string }[] = await world.dataSource.query(
        "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
      );
      expect(tables.map((t) => t.name)).toEqual(
        expect.arrayContaining(['observa_events', 'accreditation_applications']),
      );
      for (const { name } of tables) {
        const text = await textOf(`"${name}"`);
        for (const value of plaintext)
          expect({ table: name, contains: text.includes(value) }).toEqual({ table: name, contains: false });
      }
      expect((await textOf('observa_events')).length).toBeGreaterThan(1000);
      // Others are still there, opened at query time: the table holds every person only sealed.
      expect(await textOf('accreditation_applications')).not.toContain('Wehrli');
      const listed = await get(secretariat, '/applications');
      expect(listed.body.items.map((a: { person: { familyName: string } }) => a.person.familyName)).toContain(
        'Wehrli',
      );

      const [key] = await world.dataSource.query(
        'SELECT key, wrapped_key, erased_at FROM observa_person_keys WHERE person_id = $1',
        [annaPersonId],
      );
      expect(key).toEqual({ key: null, wrapped_key: null, erased_at: expect.any(Date) });

      const history = await world.store.readStream(applicationStream(annaId));
      expect(history.map((e) => e.type)).toEqual([
        'ApplicationSubmitted',
        'EligibilityScreened',
        'ApplicationApproved',
        'AccreditationRequested',
        'AccreditationGranted',
        'AccreditationSuspended',
        'AccreditationReinstated',
        'AccreditationRevoked',
        'PersonErased',
      ]);
      expect(findChainBreak(history)).toBeNull();

      const again = await post(secretariat, `/persons/${annaPersonId}/erase`);
      expect(again.status).toBe(200);
      expect(again.body.appended).toBe(false);
      expect((await post(secretariat, '/applications', anna)).status).toBe(422);
      expect(
        (
          await post(secretariat, `/applications/${annaId}/screen`, {
            ruleSetId: 'kg-2023-parliamentary-lto',
          })
        ).status,
      ).toBe(422);
    });
  });
});
