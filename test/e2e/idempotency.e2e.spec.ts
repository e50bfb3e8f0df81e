/**
 * Idempotency-Key over HTTP, in both run modes, on every family of write routes (missions, identity,
 * accreditation, imports, erasure): a key is kept to the request it was first used for. The same
 * request again gets the same answer and appends nothing; another request with that key gets a 409
 * that says what differs and changes nothing; another caller's key is another key. Then badge numbers:
 * one badge however it is spelt, and no number kept by a grant that was refused.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { applicationStream, kyrgyzstan2023LtoCall } from '#accreditation';
import { userStreamId } from '#auth';
import { missionStreamId } from '#missions';
import { startDistributed } from './distributed.js';
import { anna, CSV, HEADER, kazakhMission, kyrgyzMission } from './fixtures.js';
import { bearer, startStandalone, type World } from './harness.js';
import { importReport } from './import-jobs.js';

const PROBLEM = /^application\/problem\+json/;
const REPLAYED = 'idempotent-replayed';

type Method = 'post' | 'delete';
type Answer = { status: number; body: Record<string, unknown>; headers: Record<string, string> };

/** The answer a replay gives: the first one, saying this request appended nothing. */
const replayOf = (body: Record<string, unknown>) =>
  typeof body.appended === 'boolean' ? { ...body, appended: false } : body;

/** An applicant of the fixtures with a passport of their own. */
const applicantWith = (passport: string, given = 'Anna') => ({
  ...anna,
  person: {
    ...anna.person,
    names: { latin: { given, family: 'Schmidtbauer' }, local: null },
    identityDocument: { ...anna.person.identityDocument, number: passport },
  },
});

describe.each([
  ['standalone', startStandalone],
  ['distributed', startDistributed],
] as const)('Idempotency-Key over HTTP (%s)', (_mode, start) => {
  let world: World;
  let admin: string;
  let aigerim: string;
  let bolot: string;
  let missionId: string;
  const ruleSet = () => kyrgyzstan2023LtoCall(missionId);
  const api = (path = '') => `/api/v1/missions/${missionId}${path}`;

  const send = (token: string, method: Method, path: string, body: unknown, key?: string) => {
    const request = world.http[method](path).set(bearer(token));
    if (key !== undefined) request.set('idempotency-key', key);
    return body === undefined ? request : request.send(body as object);
  };
  const events = () => world.store.countEvents();

  /**
   * Sends the request twice with `key`, then `other` with it: the same answer the second time, a 409
   * naming the body the third, and not one event appended after the first.
   */
  const keptToItsRequest = async (
    token: string,
    method: Method,
    path: string,
    key: string,
    body: unknown,
    other: unknown,
  ): Promise<Answer> => {
    const first = (await send(token, method, path, body, key)) as unknown as Answer;
    expect(first.status).toBeLessThan(300);
    const before = await events();
    const again = (await send(token, method, path, body, key)) as unknown as Answer;
    expect(again.status).toBe(first.status);
    expect(again.body).toEqual(replayOf(first.body));
    expect(again.headers[REPLAYED]).toBe('true');
    const changed = await send(token, method, path, other, key);
    expect(changed.status).toBe(409);
    expect(changed.headers['content-type']).toMatch(PROBLEM);
    expect(changed.body).toMatchObject({ type: 'urn:observa:problem:idempotency-mismatch', status: 409 });
    expect(changed.body.detail).toContain('with another body');
    expect(await events()).toBe(before);
    return first;
  };

  const toRequested = async (applicationId: string) => {
    for (const [step, body] of [
      ['screen', { ruleSetId: ruleSet().id }],
      ['approve', {}],
      ['accreditation-request', { hostBody: 'CEC of the Kyrgyz Republic' }],
    ] as const)
      expect((await send(aigerim, 'post', api(`/applications/${applicationId}/${step}`), body)).status).toBe(
        200,
      );
  };
  const submitted = async (passport: string) => {
    const response = await send(aigerim, 'post', api('/applications'), applicantWith(passport));
    expect(response.status).toBe(201);
    return response.body.id as string;
  };
  const grantBody = (badgeNumber: string) => ({
    badgeNumber,
    validFrom: '2023-11-01T00:00:00Z',
    validTo: '2023-12-15T00:00:00Z',
  });

  beforeAll(async () => {
    world = await start();
    admin = await world.asAdmin();
    const [aigerimId, bolotId] = await Promise.all([
      world.registerUser('aigerim@idempotency.example', 'aigerims-long-password'),
      world.registerUser('bolot@idempotency.example', 'bolots-long-password'),
    ]);
    aigerim = await world.login('aigerim@idempotency.example', 'aigerims-long-password');
    bolot = await world.login('bolot@idempotency.example', 'bolots-long-password');
    const opened = await send(admin, 'post', '/api/v1/missions', kyrgyzMission);
    missionId = opened.body.id;
    for (const userId of [aigerimId, bolotId])
      expect((await send(admin, 'post', api('/staff'), { userId, role: 'secretariat' })).status).toBe(201);
    for (const token of [aigerim, bolot])
      await world.eventually(async () =>
        expect((await send(token, 'post', api('/rule-sets'), ruleSet())).status).toBe(201),
      );
  }, 180_000);
  afterAll(() => world?.close(), 60_000);

  describe('missions', () => {
    it('opens a mission once per key, and refuses the key for another mission', async () => {
      const first = await keptToItsRequest(admin, 'post', '/api/v1/missions', 'open-kz', kazakhMission, {
        ...kazakhMission,
        hostCountry: 'UZ',
      });
      expect(await world.store.readStream(missionStreamId(first.body.id as string))).toHaveLength(1);
    });

    it("adds a delegation once per key; another secretariat's same key is its own", async () => {
      const path = api('/delegations');
      const de = { country: 'DE', headOfDelegation: 'Dr. Erika Vogel' };
      const first = await keptToItsRequest(aigerim, 'post', path, 'add-delegation', de, {
        ...de,
        headOfDelegation: 'Someone else',
      });
      const bolots = await send(
        bolot,
        'post',
        path,
        { country: 'FI', headOfDelegation: 'Matti Virtanen' },
        'add-delegation',
      );
      expect(bolots.status).toBe(201);
      expect(bolots.body.appended).toBe(true);
      expect(bolots.body.eventIds).not.toEqual(first.body.eventIds);
      const types = (await world.store.readStream(missionStreamId(missionId))).map((e) => e.data);
      expect(types).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ country: 'DE', headOfDelegation: 'Dr. Erika Vogel' }),
          expect.objectContaining({ country: 'FI' }),
        ]),
      );
    });

    it('takes a role away once per key, and refuses the key on another route, naming both', async () => {
      const userId = await world.registerUser('cholpon@idempotency.example', 'cholpons-long-password');
      for (const role of ['analyst', 'observer'])
        expect((await send(admin, 'post', api('/staff'), { userId, role })).status).toBe(201);
      const path = api(`/staff/${userId}/roles/analyst`);
      const first = await send(admin, 'delete', path, undefined, 'remove-role');
      expect(first.status).toBeLessThan(300);
      const before = await events();
      const again = await send(admin, 'delete', path, undefined, 'remove-role');
      expect(again.status).toBe(first.status);
      expect(again.body).toEqual(replayOf(first.body));
      const elsewhere = await send(
        admin,
        'delete',
        api(`/staff/${userId}/roles/observer`),
        undefined,
        'remove-role',
      );
      expect(elsewhere.status).toBe(409);
      expect(elsewhere.body.detail).toContain(
        `it was first used for DELETE ${path}, not DELETE ${api(`/staff/${userId}/roles/observer`)}`,
      );
      expect(await events()).toBe(before);
    });
  });

  describe('identity', () => {
    it('registers a user once per key, and refuses the key for another account', async () => {
      const first = await keptToItsRequest(
        admin,
        'post',
        '/api/v1/users',
        'register-dinara',
        { email: 'dinara@idempotency.example', password: 'dinaras-long-password' },
        { email: 'other-dinara@idempotency.example', password: 'dinaras-long-password' },
      );
      expect(await world.store.readStream(userStreamId(first.body.id as string))).toHaveLength(1);
    });
  });

  describe('accreditation', () => {
    it('publishes a rule set once per key', async () => {
      const next = { ...ruleSet(), version: 2 };
      await keptToItsRequest(aigerim, 'post', api('/rule-sets'), 'publish-v2', next, { ...next, version: 3 });
    });

    it('submits an application once per key: another passport or another name under the key is refused', async () => {
      const path = api('/applications');
      const first = await keptToItsRequest(
        aigerim,
        'post',
        path,
        'submit-erika',
        applicantWith('E1000001', 'Erika'),
        applicantWith('E1000002', 'Erika'),
      );
      const renamed = await send(aigerim, 'post', path, applicantWith('E1000001', 'Erica'), 'submit-erika');
      expect(renamed.status).toBe(409);
      expect(await world.store.readStream(applicationStream(first.body.id as string))).toHaveLength(1);
      const shown = await world.eventually(async () => {
        const response = await world.http.get(api(`/applications/${first.body.id}`)).set(bearer(aigerim));
        expect(response.status).toBe(200);
        return response.body;
      });
      expect(shown.person.givenName).toBe('Erika');
      // No application was made of the other passport.
      const listed = await world.http.get(api('/applications')).set(bearer(aigerim));
      expect(listed.body.nextCursor).toBeNull();
      expect(
        listed.body.items.filter((a: { person: { identityDocument?: { number: string } } }) =>
          a.person.identityDocument?.number.startsWith('E100000'),
        ),
      ).toHaveLength(1);
      // Another secretariat's same key is its own.
      const bolots = await send(bolot, 'post', path, applicantWith('E1000003', 'Ebba'), 'submit-erika');
      expect(bolots.status).toBe(201);
      expect(bolots.body.id).not.toBe(first.body.id);
    });

    it('takes each step once per key', async () => {
      const id = await submitted('S2000001');
      const at = (step: string) => api(`/applications/${id}/${step}`);
      await keptToItsRequest(
        aigerim,
        'post',
        at('screen'),
        'screen-1',
        { ruleSetId: ruleSet().id },
        { ruleSetId: 'another-call' },
      );
      await keptToItsRequest(aigerim, 'post', at('approve'), 'approve-1', {}, { reason: 'fits the call' });
      await keptToItsRequest(
        aigerim,
        'post',
        at('accreditation-request'),
        'request-1',
        { hostBody: 'CEC' },
        { hostBody: 'CEC of KG' },
      );
      await keptToItsRequest(
        aigerim,
        'post',
        at('grant'),
        'grant-1',
        grantBody('KG-LTO-2001'),
        grantBody('KG-LTO-2002'),
      );
      const badge = await world.eventually(async () => {
        const response = await world.http.get(api('/badges/KG-LTO-2001')).set(bearer(aigerim));
        expect(response.status).toBe(200);
        return response.body;
      });
      expect(badge.applicationId).toBe(id);
      expect((await world.http.get(api('/badges/KG-LTO-2002')).set(bearer(aigerim))).status).toBe(404);
    });

    it('imports a file once per key, by its bytes: the same file sent another way is the same request', async () => {
      const path = api('/applications/import');
      const csv = (body: string, key: string, token = aigerim) =>
        world.http
          .post(path)
          .set(bearer(token))
          .set('idempotency-key', key)
          .set('content-type', 'text/csv')
          .send(body);
      const first = await csv(CSV, 'import-1');
      expect(await importReport(world, aigerim, first)).toMatchObject({ created: 2, refused: 1 });
      const before = await events();
      // The same key and file answer the same job, with its Location.
      const again = await csv(CSV, 'import-1');
      expect(again.status).toBe(202);
      expect(again.body).toEqual(first.body);
      expect(again.headers.location).toBe(first.headers.location);
      expect(again.headers[REPLAYED]).toBe('true');
      const multipart = await world.http
        .post(path)
        .set(bearer(aigerim))
        .set('idempotency-key', 'import-1')
        .attach('file', Buffer.from(CSV), { filename: 'observers.csv', contentType: 'text/csv' });
      expect(multipart.status).toBe(202);
      expect(multipart.body).toEqual(first.body);
      const another = await csv(
        `${HEADER}\nIlse,Berg,1970-01-01,NL,passport,NL998877,,nl,LTO,NL,none,passport`,
        'import-1',
      );
      expect(another.status).toBe(409);
      expect(another.body.detail).toContain('with another body');
      expect(await events()).toBe(before);
      // Another secretariat's import-1 is its own: the same file, run for real, finds the rows there.
      const bolots = await csv(CSV, 'import-1', bolot);
      expect(bolots.body.id).not.toBe(first.body.id);
      expect(await importReport(world, bolot, bolots)).toMatchObject({
        created: 0,
        unchanged: 2,
        refused: 1,
      });
    });

    it('erases a person once per key, and refuses the key for another person', async () => {
      const [first, second] = [await submitted('P3000001'), await submitted('P3000002')];
      const personOf = async (id: string) =>
        (
          await world.eventually(async () => {
            const response = await world.http.get(api(`/applications/${id}`)).set(bearer(aigerim));
            expect(response.status).toBe(200);
            return response.body;
          })
        ).personId as string;
      const [firstPerson, secondPerson] = [await personOf(first), await personOf(second)];
      const path = api(`/persons/${firstPerson}/erase`);
      const erased = await send(aigerim, 'post', path, undefined, 'erase-1');
      expect(erased.status).toBe(200);
      const before = await events();
      const again = await send(aigerim, 'post', path, undefined, 'erase-1');
      expect(again.status).toBe(200);
      expect(again.body).toEqual(replayOf(erased.body));
      const other = await send(aigerim, 'post', api(`/persons/${secondPerson}/erase`), undefined, 'erase-1');
      expect(other.status).toBe(409);
      expect(other.body.detail).toContain('it was first used for POST');
      expect(await events()).toBe(before);
    });
  });

  describe('the key itself', () => {
    it('is free again after a request that was refused: nothing was written', async () => {
      const path = api('/applications');
      const refused = await send(
        aigerim,
        'post',
        path,
        { ...applicantWith('F4000001'), role: 'TOURIST' },
        'submit-f4',
      );
      expect(refused.status).toBe(400);
      const corrected = await send(aigerim, 'post', path, applicantWith('F4000001'), 'submit-f4');
      expect(corrected.status).toBe(201);
      expect(corrected.body.appended).toBe(true);
    });

    it('answers from the store when the process died after the append, before the answer was kept', async () => {
      const path = api('/applications');
      const first = await send(aigerim, 'post', path, applicantWith('G5000001'), 'submit-g5');
      expect(first.status).toBe(201);
      // What a crash between the append and recording the answer leaves: the key pending, with its request.
      const [{ count }] = await world.dataSource.query(
        `WITH pending AS (UPDATE observa_idempotency_keys SET status = NULL, answer = NULL, answered_at = NULL
           WHERE key = 'submit-g5' RETURNING 1) SELECT count(*)::int AS count FROM pending`,
      );
      expect(count).toBe(1);
      const before = await events();
      const retried = await send(aigerim, 'post', path, applicantWith('G5000001'), 'submit-g5');
      expect(retried.status).toBe(201);
      expect(retried.body).toEqual({ ...first.body, appended: false });
      const changed = await send(aigerim, 'post', path, applicantWith('G5000002'), 'submit-g5');
      expect(changed.status).toBe(409);
      expect(await events()).toBe(before);
      expect(await world.store.readStream(applicationStream(first.body.id))).toHaveLength(1);
    });

    it('must be visible ASCII of at most 200 characters', async () => {
      const tooLong = await send(
        aigerim,
        'post',
        api('/delegations'),
        { country: 'SE', headOfDelegation: 'A B' },
        'k'.repeat(201),
      );
      expect(tooLong.status).toBe(400);
      expect(tooLong.headers['content-type']).toMatch(PROBLEM);
    });
  });

  describe('badge numbers', () => {
    const spellings = [
      'kg-lto-3001',
      'KG\u2010LTO\u20103001',
      'KG\u2011LTO\u20113001',
      'KG\u2212LTO\u22123001',
      'KG\u2013LTO\u20133001',
      'KG-LTO-\u200B3001',
      'KG-\u200DLTO-3001',
      '  KG-LTO-3001\t',
    ];

    it('finds a badge by any spelling of its number, and refuses it to anyone else under any spelling', async () => {
      const holder = await submitted('B6000001');
      const other = await submitted('B6000002');
      await toRequested(holder);
      await toRequested(other);
      const granted = await send(
        aigerim,
        'post',
        api(`/applications/${holder}/grant`),
        grantBody('Kg\u2011Lto\u20113001 '),
      );
      expect(granted.status).toBe(200);
      for (const spelling of spellings) {
        const found = await world.eventually(async () => {
          const response = await world.http
            .get(api(`/badges/${encodeURIComponent(spelling)}`))
            .set(bearer(aigerim));
          expect(response.status).toBe(200);
          return response.body;
        });
        expect(found).toMatchObject({ applicationId: holder, badge: { number: 'KG-LTO-3001' } });
        const taken = await send(aigerim, 'post', api(`/applications/${other}/grant`), grantBody(spelling));
        expect(taken.status).toBe(409);
      }
    });

    it('keeps no number for grants that were refused', async () => {
      const contested = await submitted('B6000010');
      const later = await submitted('B6000011');
      await toRequested(contested);
      await toRequested(later);
      const numbers = ['KG-STO-1', 'KG-STO-2', 'KG-STO-3', 'KG-STO-4', 'KG-STO-5'];
      const answers = await Promise.all(
        numbers.map((n) => send(aigerim, 'post', api(`/applications/${contested}/grant`), grantBody(n))),
      );
      const statuses = answers.map((a) => a.status);
      expect(statuses.filter((s) => s === 200)).toHaveLength(1);
      expect(statuses.filter((s) => s === 422)).toHaveLength(numbers.length - 1);
      const refused = numbers.filter((_, i) => statuses[i] !== 200);
      // Every refused number is free: another observer is granted one, the rest are found nowhere.
      const taken = await send(aigerim, 'post', api(`/applications/${later}/grant`), grantBody(refused[0]));
      expect(taken.status).toBe(200);
      for (const n of refused.slice(1))
        expect((await world.http.get(api(`/badges/${n}`)).set(bearer(aigerim))).status).toBe(404);
    });

    it('refuses a number that is nothing but invisible characters', async () => {
      const id = await submitted('B6000020');
      await toRequested(id);
      const blank = await send(aigerim, 'post', api(`/applications/${id}/grant`), grantBody('\u200B\u200D'));
      expect(blank.status).toBe(422);
    });
  });
});

describe('Idempotency-Key across a restart (standalone, data on disk)', () => {
  let dataDir: string;
  let world: World | undefined;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'observa-idempotency-'));
  });
  afterAll(async () => {
    await world?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('answers a retry after the restart as before it, and still refuses the key for another request', async () => {
    world = await startStandalone({ dataDir });
    const admin = await world.asAdmin();
    const open = (body: object) =>
      world!.http
        .post('/api/v1/missions')
        .set(bearer(admin))
        .set('idempotency-key', 'open-before-restart')
        .send(body);
    const first = await open(kyrgyzMission);
    expect(first.status).toBe(201);
    await world.close();

    world = await startStandalone({ dataDir });
    const events = await world.store.countEvents();
    const again = await open(kyrgyzMission);
    expect(again.status).toBe(201);
    expect(again.headers[REPLAYED]).toBe('true');
    expect(again.body).toEqual({ ...first.body, appended: false });
    expect((await open(kazakhMission)).status).toBe(409);
    expect(await world.store.countEvents()).toBe(events);
  }, 120_000);
});
