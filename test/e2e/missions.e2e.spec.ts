/** The missions context and identity over HTTP, standalone on PGlite: the secretariat's first steps. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { BOOTSTRAP_ADMIN_ID, LOGIN_THROTTLE, loginStreamId, userStreamId, type LoginThrottle } from '#auth';
import { missionStreamId } from '#missions';
import { startDistributed } from './distributed.js';
import { kazakhMission, kyrgyzMission } from './fixtures.js';
import { ADMIN, bearer, signToken, startStandalone, type World } from './harness.js';

const PROBLEM = /^application\/problem\+json/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

type Person = { email: string; password: string; userId: string; token: string };

describe.each([
  ['standalone', startStandalone],
  ['distributed', startDistributed],
] as const)('missions over HTTP (%s)', (_mode, start) => {
  let world: World;
  let admin: string;
  let missionId: string;
  let otherMissionId: string;
  const people: Record<'aizada' | 'bakyt' | 'dana', Person> = {
    aizada: { email: 'aizada@mission.example', password: 'secretariat-password-1', userId: '', token: '' },
    bakyt: { email: 'bakyt@mission.example', password: 'observer-password-22', userId: '', token: '' },
    dana: { email: 'dana@other.example', password: 'other-mission-pass-3', userId: '', token: '' },
  };
  const { aizada, bakyt, dana } = people;

  const versionOf = async (streamId: string) =>
    (await world.store.readStream(streamId)).at(-1)?.streamVersion;

  /** The login attempts recorded for an email since the suite began (login streams are per UTC day). */
  const loginsOf = async (email: string) => {
    const days = [...new Set([startedAt, new Date()].map((at) => loginStreamId(email, at.toISOString())))];
    return (await Promise.all(days.map((stream) => world.store.readStream(stream)))).flat();
  };
  const startedAt = new Date();

  /** Refused logins as /metrics counts them, all reasons together. */
  const refusals = async () => {
    const text: string = (await world.http.get('/metrics')).text;
    return [...text.matchAll(/^observa_login_refusals_total\{[^}]*\} (\d+)$/gm)].reduce(
      (sum, [, count]) => sum + Number(count),
      0,
    );
  };

  const grant = async (mission: string, userId: string, role: string) => {
    const response = await world.http
      .post(`/api/v1/missions/${mission}/staff`)
      .set(bearer(admin))
      .send({ userId, role });
    expect(response.status).toBe(201);
  };

  beforeAll(async () => {
    world = await start();
    admin = await world.asAdmin();
    for (const person of Object.values(people)) {
      person.userId = await world.registerUser(person.email, person.password);
      person.token = await world.login(person.email, person.password);
    }
  }, 180_000);
  afterAll(() => world?.close(), 60_000);

  describe('the flow', () => {
    it('lets the administrator open a mission', async () => {
      const response = await world.http.post('/api/v1/missions').set(bearer(admin)).send(kyrgyzMission);
      expect(response.status).toBe(201);
      expect(response.body).toEqual({
        id: expect.stringMatching(UUID),
        streamVersion: '0',
        eventIds: [expect.stringMatching(UUID)],
        appended: true,
      });
      missionId = response.body.id;
      const [opened] = await world.store.readStream(missionStreamId(missionId));
      expect(opened).toMatchObject({
        type: 'MissionOpened',
        data: { ...kyrgyzMission, missionId, openedBy: expect.any(String) },
        metadata: { missionId, actor: { role: 'admin' } },
      });
    });

    it('shows the new mission to the administrator once its view has caught up', async () => {
      const detail = await world.eventually(async () => {
        const response = await world.http.get(`/api/v1/missions/${missionId}`).set(bearer(admin));
        expect(response.status).toBe(200);
        return response.body;
      });
      expect(detail).toEqual({
        missionId,
        ...kyrgyzMission,
        status: 'open',
        delegations: [],
        staff: [],
        openedAt: expect.any(String),
        streamVersion: '0',
      });
    });

    it('grants staff roles, and the roles open the mission to their holders', async () => {
      await grant(missionId, aizada.userId, 'secretariat');
      await grant(missionId, bakyt.userId, 'observer');
      const other = await world.http.post('/api/v1/missions').set(bearer(admin)).send(kazakhMission);
      expect(other.status).toBe(201);
      otherMissionId = other.body.id;
      await grant(otherMissionId, dana.userId, 'secretariat');

      for (const [person, mission] of [
        [aizada, missionId],
        [bakyt, missionId],
        [dana, otherMissionId],
      ] as const)
        await world.eventually(async () =>
          expect((await world.http.get(`/api/v1/missions/${mission}`).set(bearer(person.token))).status).toBe(
            200,
          ),
        );
    });

    it('lets the secretariat add a delegation', async () => {
      const response = await world.http
        .post(`/api/v1/missions/${missionId}/delegations`)
        .set(bearer(aizada.token))
        .set('x-correlation-id', 'secretariat-desk-1')
        .send({ country: 'kz', headOfDelegation: 'Yerlan Nurlanovich' });
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ id: missionId, appended: true });
      const last = (await world.store.readStream(missionStreamId(missionId))).at(-1);
      expect(last).toMatchObject({
        type: 'DelegationJoined',
        data: { country: 'KZ', headOfDelegation: 'Yerlan Nurlanovich' },
        metadata: {
          actor: { userId: aizada.userId, role: 'secretariat' },
          correlationId: 'secretariat-desk-1',
        },
      });
      const detail = await world.eventually(async () => {
        const body = (await world.http.get(`/api/v1/missions/${missionId}`).set(bearer(bakyt.token))).body;
        expect(body.delegations).toHaveLength(1);
        return body;
      });
      expect(detail.delegations).toEqual([{ country: 'KZ', headOfDelegation: 'Yerlan Nurlanovich' }]);
      expect(detail.staff).toEqual(
        expect.arrayContaining([
          { userId: aizada.userId, roles: ['secretariat'] },
          { userId: bakyt.userId, roles: ['observer'] },
        ]),
      );
    });

    it('lets an observer read the mission but not add a delegation (403)', async () => {
      expect((await world.http.get(`/api/v1/missions/${missionId}`).set(bearer(bakyt.token))).status).toBe(
        200,
      );
      const before = await versionOf(missionStreamId(missionId));
      const response = await world.http
        .post(`/api/v1/missions/${missionId}/delegations`)
        .set(bearer(bakyt.token))
        .send({ country: 'BY', headOfDelegation: 'Ivan Petrovich' });
      expect(response.status).toBe(403);
      expect(response.headers['content-type']).toMatch(PROBLEM);
      expect(await versionOf(missionStreamId(missionId))).toBe(before);
    });

    it('hides the mission from a member of another mission: 404, and absent from their list', async () => {
      const response = await world.http.get(`/api/v1/missions/${missionId}`).set(bearer(dana.token));
      expect(response.status).toBe(404);
      expect(response.headers['content-type']).toMatch(PROBLEM);
      const write = await world.http
        .post(`/api/v1/missions/${missionId}/delegations`)
        .set(bearer(dana.token))
        .send({ country: 'BY', headOfDelegation: 'Ivan Petrovich' });
      expect(write.status).toBe(404);
      const list = await world.http.get('/api/v1/missions').set(bearer(dana.token));
      expect(list.status).toBe(200);
      expect(list.body.items.map((m: { missionId: string }) => m.missionId)).toEqual([otherMissionId]);
      expect(list.body.nextCursor).toBeNull();
    });

    it('lists every mission to the administrator, and only their own to members', async () => {
      const all = await world.eventually(async () => {
        const body = (await world.http.get('/api/v1/missions').set(bearer(admin))).body;
        expect(body.items).toHaveLength(2);
        expect(body.nextCursor).toBeNull();
        return body.items;
      });
      expect(all.map((m: { missionId: string }) => m.missionId).sort()).toEqual(
        [missionId, otherMissionId].sort(),
      );
      const own = (await world.http.get('/api/v1/missions').set(bearer(bakyt.token))).body;
      expect(own).toEqual({ items: [{ missionId, ...kyrgyzMission, status: 'open' }], nextCursor: null });
    });

    it('tells a user who they are and where they hold roles', async () => {
      const response = await world.http.get('/api/v1/users/me').set(bearer(aizada.token));
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        userId: aizada.userId,
        email: aizada.email,
        status: 'active',
        missions: [{ missionId, roles: ['secretariat'] }],
      });
      const me = (await world.http.get('/api/v1/users/me').set(bearer(admin))).body;
      expect(me).toMatchObject({ email: ADMIN.email, platformRole: 'admin', status: 'active', missions: [] });
    });

    it('lets only the administrator register users (403 for others)', async () => {
      const response = await world.http
        .post('/api/v1/users')
        .set(bearer(aizada.token))
        .send({ email: 'someone@mission.example', password: 'a-long-enough-password' });
      expect(response.status).toBe(403);
    });

    it('refuses a second account with the same email (422)', async () => {
      const response = await world.http
        .post('/api/v1/users')
        .set(bearer(admin))
        .send({ email: aizada.email.toUpperCase(), password: 'another-long-password' });
      expect(response.status).toBe(422);
      expect(response.body.detail).toMatch(/email/);
    });
  });

  it('lists every identity and missions route in the OpenAPI document', async () => {
    const document = await world.http.get('/api/docs-json');
    expect(document.status).toBe(200);
    const operations = Object.entries(document.body.paths as Record<string, object>).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(operations).toEqual(
      expect.arrayContaining([
        'POST /api/v1/auth/token',
        'POST /api/v1/users',
        'POST /api/v1/users/{userId}/disable',
        'GET /api/v1/users/me',
        'POST /api/v1/missions',
        'GET /api/v1/missions',
        'GET /api/v1/missions/{missionId}',
        'POST /api/v1/missions/{missionId}/delegations',
        'DELETE /api/v1/missions/{missionId}/delegations/{country}',
        'POST /api/v1/missions/{missionId}/staff',
        'DELETE /api/v1/missions/{missionId}/staff/{userId}/roles/{role}',
        'POST /api/v1/missions/{missionId}/close',
      ]),
    );
  });

  it('documents on every write the Idempotency-Key, its 409, and the header of a replayed answer', async () => {
    type Operation = {
      parameters?: { in: string; name: string }[];
      responses: Record<string, { headers?: Record<string, unknown> }>;
    };
    const paths = (await world.http.get('/api/docs-json')).body.paths as Record<
      string,
      Record<string, Operation>
    >;
    const writes = Object.entries(paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([method]) => method === 'post' || method === 'delete')
        .filter(([method]) => `${method} ${path}` !== 'post /api/v1/auth/token')
        .map(([method, operation]) => ({ route: `${method.toUpperCase()} ${path}`, operation })),
    );
    expect(writes.length).toBeGreaterThan(20);
    const undocumented = writes
      .filter(({ operation }) => {
        const success = Object.entries(operation.responses).filter(([status]) => status.startsWith('2'));
        return (
          !operation.parameters?.some((p) => p.in === 'header' && p.name === 'Idempotency-Key') ||
          !operation.responses['409'] ||
          success.length === 0 ||
          !success.every(([, response]) => response.headers?.['Idempotent-Replayed'])
        );
      })
      .map(({ route }) => route);
    expect(undocumented).toEqual([]);
  });

  describe('idempotency', () => {
    it('answers a retried open with the same id and appends nothing', async () => {
      const send = (body: object) =>
        world.http
          .post('/api/v1/missions')
          .set(bearer(admin))
          .set('Idempotency-Key', 'open-kg-2023')
          .send(body);
      const first = await send(kyrgyzMission);
      expect(first.status).toBe(201);
      expect(first.body.appended).toBe(true);
      const again = await send(kyrgyzMission);
      expect(again.status).toBe(201);
      expect(again.body).toEqual({ ...first.body, appended: false });
      expect(await world.store.readStream(missionStreamId(first.body.id))).toHaveLength(1);
    });

    it('refuses the same key with a different body (409 problem+json) and writes nothing', async () => {
      const send = (body: object) =>
        world.http
          .post('/api/v1/missions')
          .set(bearer(admin))
          .set('Idempotency-Key', 'open-kz-2020')
          .send(body);
      const first = await send(kazakhMission);
      expect(first.status).toBe(201);
      const changed = await send({ ...kazakhMission, name: 'Another mission' });
      expect(changed.status).toBe(409);
      expect(changed.headers['content-type']).toMatch(PROBLEM);
      expect(changed.body).toMatchObject({ type: 'urn:observa:problem:idempotency-mismatch', status: 409 });
      expect(await world.store.readStream(missionStreamId(first.body.id))).toHaveLength(1);
    });

    it('answers a retried delegation with the same event ids, appended false', async () => {
      const send = () =>
        world.http
          .post(`/api/v1/missions/${missionId}/delegations`)
          .set(bearer(aizada.token))
          .set('Idempotency-Key', 'add-by')
          .send({ country: 'BY', headOfDelegation: 'Ivan Petrovich' });
      const first = await send();
      const again = await send();
      expect(first.status).toBe(201);
      expect(again.status).toBe(201);
      expect(again.body).toEqual({ ...first.body, appended: false });
    });

    it('answers a retried registration with the same user id', async () => {
      const send = () =>
        world.http
          .post('/api/v1/users')
          .set(bearer(admin))
          .set('Idempotency-Key', 'register-erlan')
          .send({ email: 'erlan@mission.example', password: 'erlans-long-password' });
      const first = await send();
      const again = await send();
      expect(first.status).toBe(201);
      expect(again.status).toBe(201);
      expect(again.body).toEqual({ ...first.body, appended: false });
    });
  });

  describe('bad input: a clear 4xx, nothing written', () => {
    let before: bigint | undefined;
    const delegations = () => `/api/v1/missions/${missionId}/delegations`;

    beforeAll(async () => {
      before = await versionOf(missionStreamId(missionId));
    });

    it('malformed JSON: 400', async () => {
      const response = await world.http
        .post(delegations())
        .set(bearer(aizada.token))
        .set('content-type', 'application/json')
        .send('{"country": "BY",');
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toMatch(PROBLEM);
      expect(response.body.type).toBe('urn:observa:problem:malformed-json');
    });

    it('an unknown field: 400 naming it', async () => {
      const response = await world.http
        .post(delegations())
        .set(bearer(aizada.token))
        .send({ country: 'BY', headOfDelegation: 'Ivan Petrovich', budget: 1000 });
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toMatch(PROBLEM);
      expect(response.body.errors).toEqual([{ field: 'budget', message: expect.stringMatching(/budget/) }]);
    });

    it('wrong types: 400 naming each field', async () => {
      const response = await world.http
        .post(delegations())
        .set(bearer(aizada.token))
        .send({ country: 12, headOfDelegation: true });
      expect(response.status).toBe(400);
      expect(new Set(response.body.errors.map((e: { field: string }) => e.field))).toEqual(
        new Set(['country', 'headOfDelegation']),
      );
    });

    it('wrong nested types when opening: 400 naming the path', async () => {
      const response = await world.http
        .post('/api/v1/missions')
        .set(bearer(admin))
        .send({ ...kyrgyzMission, election: { ...kyrgyzMission.election, rounds: 'two', extra: true } });
      expect(response.status).toBe(400);
      expect(response.body.errors.map((e: { field: string }) => e.field)).toEqual(
        expect.arrayContaining(['election.rounds', 'election.extra']),
      );
    });

    it('a missing election when opening: 400 naming it', async () => {
      const { election: _, ...withoutElection } = kyrgyzMission;
      const response = await world.http.post('/api/v1/missions').set(bearer(admin)).send(withoutElection);
      expect(response.status).toBe(400);
      expect(response.body.errors.map((e: { field: string }) => e.field)).toContain('election');
    });

    it('a huge body: 413', async () => {
      const response = await world.http
        .post(delegations())
        .set(bearer(aizada.token))
        .set('content-type', 'application/json')
        .send(JSON.stringify({ country: 'BY', headOfDelegation: 'x'.repeat(2 * 1024 * 1024) }));
      expect(response.status).toBe(413);
      expect(response.headers['content-type']).toMatch(PROBLEM);
    });

    it('a broken domain rule: 422 (a delegation already in the mission)', async () => {
      const response = await world.http
        .post(delegations())
        .set(bearer(aizada.token))
        .send({ country: 'KZ', headOfDelegation: 'Someone Else' });
      expect(response.status).toBe(422);
      expect(response.body).toMatchObject({ type: 'urn:observa:problem:domain-rule-broken' });
    });

    it.each([
      ['a member', () => aizada.token],
      ['the administrator', () => admin],
    ])('an unknown mission id: 404 for %s', async (_, token) => {
      const unknown = '0b6f4a3e-2a7c-4f0e-9d7e-3c1f5a9b8e21';
      const read = await world.http.get(`/api/v1/missions/${unknown}`).set(bearer(token()));
      expect(read.status).toBe(404);
      const write = await world.http
        .post(`/api/v1/missions/${unknown}/delegations`)
        .set(bearer(token()))
        .send({ country: 'BY', headOfDelegation: 'Ivan Petrovich' });
      expect(write.status).toBe(404);
      expect(write.headers['content-type']).toMatch(PROBLEM);
      expect(await world.store.readStream(missionStreamId(unknown))).toEqual([]);
    });

    it('a mission id that is no id: 400 for the administrator', async () => {
      const response = await world.http.get('/api/v1/missions/not-a-mission').set(bearer(admin));
      expect(response.status).toBe(400);
    });

    it('no token: 401 with a Bearer challenge', async () => {
      const response = await world.http
        .post(delegations())
        .send({ country: 'BY', headOfDelegation: 'Ivan Petrovich' });
      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(response.headers['content-type']).toMatch(PROBLEM);
    });

    it('an expired token: 401 saying so', async () => {
      const expired = await signToken(
        { userId: aizada.userId, email: aizada.email },
        { at: new Date(Date.now() - 2 * 3600_000), ttlSeconds: 900 },
      );
      const response = await world.http
        .post(delegations())
        .set(bearer(expired))
        .send({ country: 'BY', headOfDelegation: 'Ivan Petrovich' });
      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toMatch(/error="invalid_token".*expired/);
    });

    it('a forged token (signed with another secret, claiming admin): 401', async () => {
      const forged = await signToken(
        { userId: aizada.userId, email: aizada.email, platformRole: 'admin' },
        { secret: 'a-secret-the-forger-made-up-at-least-32-bytes' },
      );
      const response = await world.http
        .post(delegations())
        .set(bearer(forged))
        .send({ country: 'BY', headOfDelegation: 'Ivan Petrovich' });
      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toMatch(/error="invalid_token"/);
    });

    it('left the mission stream as it was', async () =>
      expect(await versionOf(missionStreamId(missionId))).toBe(before));
  });

  describe('the end of a mission', () => {
    it('lets the secretariat remove a delegation and withdraw a role; the holder then loses the mission', async () => {
      const left = await world.http
        .delete(`/api/v1/missions/${missionId}/delegations/by`)
        .set(bearer(aizada.token));
      expect(left.status).toBe(200);
      const withdrawn = await world.http
        .delete(`/api/v1/missions/${missionId}/staff/${bakyt.userId}/roles/observer`)
        .set(bearer(aizada.token));
      expect(withdrawn.status).toBe(200);
      await world.eventually(async () =>
        expect((await world.http.get(`/api/v1/missions/${missionId}`).set(bearer(bakyt.token))).status).toBe(
          404,
        ),
      );
      const detail = await world.eventually(async () => {
        const body = (await world.http.get(`/api/v1/missions/${missionId}`).set(bearer(aizada.token))).body;
        expect(body.staff).toHaveLength(1);
        return body;
      });
      expect(detail.delegations.map((d: { country: string }) => d.country)).toEqual(['KZ']);
      expect(detail.staff).toEqual([{ userId: aizada.userId, roles: ['secretariat'] }]);
    });

    it('refuses to withdraw the last secretariat (422)', async () => {
      const response = await world.http
        .delete(`/api/v1/missions/${missionId}/staff/${aizada.userId}/roles/secretariat`)
        .set(bearer(aizada.token));
      expect(response.status).toBe(422);
      expect(response.body.detail).toMatch(/last secretariat/);
    });

    it('lets the secretariat close the mission, after which it takes no more changes', async () => {
      const closed = await world.http
        .post(`/api/v1/missions/${missionId}/close`)
        .set(bearer(aizada.token))
        .send({ reason: 'final statement published' });
      expect(closed.status).toBe(200);
      expect(closed.body).toMatchObject({ id: missionId, appended: true });
      const detail = await world.eventually(async () => {
        const body = (await world.http.get(`/api/v1/missions/${missionId}`).set(bearer(aizada.token))).body;
        expect(body.status).toBe('closed');
        return body;
      });
      expect(detail.closedAt).toEqual(expect.any(String));
      const late = await world.http
        .post(`/api/v1/missions/${missionId}/delegations`)
        .set(bearer(aizada.token))
        .send({ country: 'AM', headOfDelegation: 'Armen Sargsyan' });
      expect(late.status).toBe(422);
      expect(late.body.detail).toMatch(/closed/);
    });
  });

  describe('logging in', () => {
    it('answers a token that opens the API', async () => {
      const response = await world.http
        .post('/api/v1/auth/token')
        .send({ email: ` ${bakyt.email.toUpperCase()} `, password: bakyt.password });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ accessToken: expect.any(String), tokenType: 'Bearer', expiresIn: 900 });
      expect(
        (await world.http.get('/api/v1/users/me').set(bearer(response.body.accessToken))).body.userId,
      ).toBe(bakyt.userId);
    });

    it('refuses a wrong password with 401, and records every attempt on the day’s login stream', async () => {
      const response = await world.http
        .post('/api/v1/auth/token')
        .send({ email: bakyt.email, password: 'not-the-password' });
      expect(response.status).toBe(401);
      expect(response.headers['content-type']).toMatch(PROBLEM);
      const logins = await loginsOf(bakyt.email);
      expect(logins.map((e) => [e.type, e.data.reason])).toEqual([
        ['LoginSucceeded', undefined], // beforeAll
        ['LoginSucceeded', undefined],
        ['LoginFailed', 'wrong-password'],
      ]);
      expect(logins.at(-1)?.data).toMatchObject({ userId: bakyt.userId, address: expect.any(String) });
      // The account's own stream holds none of them: checking a password never folds the login history.
      const own = await world.store.readStream(userStreamId(bakyt.userId));
      expect(own.filter((e) => e.type.startsWith('Login'))).toEqual([]);
    });

    it('refuses an unknown email with the same 401, recorded on a login stream by the email digest', async () => {
      const response = await world.http
        .post('/api/v1/auth/token')
        .send({ email: 'nobody@nowhere.example', password: 'not-the-password' });
      expect(response.status).toBe(401);
      expect(response.body.detail).toBe('The email or the password is wrong.');
      const [failed] = await loginsOf('nobody@nowhere.example');
      expect(failed).toMatchObject({ type: 'LoginFailed', data: { reason: 'unknown-user' } });
      expect(failed.data).not.toHaveProperty('userId');
    });

    it('slows and then refuses repeated failures with 429 and Retry-After, counting what it refused', async () => {
      const email = 'guessed@mission.example';
      await world.registerUser(email, 'the-real-password-9');
      const refusalsBefore = await refusals();
      const statuses: number[] = [];
      let refused;
      for (let attempt = 0; attempt < 8 && !refused; attempt++) {
        const response = await world.http
          .post('/api/v1/auth/token')
          .send({ email, password: `guess-${attempt}` });
        statuses.push(response.status);
        if (response.status === 429) refused = response;
      }
      // Three failures are free, the fourth makes the next attempt wait (a scrypt check is far shorter).
      expect(statuses.slice(0, 4)).toEqual([401, 401, 401, 401]);
      expect(refused?.status).toBe(429);
      expect(refused?.headers['content-type']).toMatch(PROBLEM);
      expect(Number(refused?.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      // Even the right password is refused while the throttle holds: here, ten failures of this account and
      // address as another gateway process would have seen them, which refuse it for the quarter hour.
      const throttle = world.app.get<LoginThrottle>(LOGIN_THROTTLE);
      for (let i = 0; i < 10; i++) throttle.recordFailure({ email, address: '192.0.2.44' }, Date.now());
      const right = await world.http
        .post('/api/v1/auth/token')
        .set('x-forwarded-for', '192.0.2.44')
        .send({ email, password: 'the-real-password-9' });
      expect(right.status).toBe(429);
      expect(Number(right.headers['retry-after'])).toBeGreaterThan(14 * 60);
      // Refused attempts are counted, not stored: a guesser cannot grow the history at will.
      const failures = (await loginsOf(email)).filter((e) => e.type === 'LoginFailed');
      expect(failures.map((e) => e.data.reason)).toEqual(Array(statuses.length - 1).fill('wrong-password'));
      expect(await refusals()).toBe(refusalsBefore + 2);
    });

    it('lets the owner in from their own address while strangers fail from many others', async () => {
      const email = 'besieged@mission.example';
      const password = 'the-owners-passphrase-4';
      await world.registerUser(email, password);
      const from = (address: string) => world.http.post('/api/v1/auth/token').set('x-forwarded-for', address);
      expect((await from('192.0.2.10').send({ email, password })).status).toBe(200);
      // 60 wrong guesses, each from its own address: no address and no pair is past its free failures,
      // yet the account holds the strangers back, all of them together.
      const guesses: number[] = [];
      for (let i = 0; i < 60; i++)
        guesses.push((await from(`198.51.100.${i + 1}`).send({ email, password: `guess-${i}` })).status);
      expect(guesses.slice(0, 10)).toEqual(Array(10).fill(401));
      expect(guesses).toContain(429);
      // The owner, from the address they logged in from before, is not held back by any of it.
      const owner = await from('192.0.2.10').send({ email, password });
      expect(owner.status).toBe(200);
    });

    it('lets the administrator disable an account: its live token stops working and it cannot log in', async () => {
      const email = 'leaving@mission.example';
      const password = 'a-passphrase-for-leaving-5';
      const userId = await world.registerUser(email, password);
      const token = await world.login(email, password);
      expect((await world.http.get('/api/v1/users/me').set(bearer(token))).status).toBe(200);
      const disable = (who: string, id = userId) =>
        world.http.post(`/api/v1/users/${id}/disable`).set(bearer(who)).send({ reason: 'left the mission' });

      // Only the platform administrator may, never on their own account, and only on an account that exists.
      const byMember = await disable(bakyt.token);
      expect(byMember.status).toBe(403);
      expect((await disable(admin, '00000000-0000-4000-8000-000000000000')).status).toBe(404);
      const self = await world.http
        .post(`/api/v1/users/${BOOTSTRAP_ADMIN_ID}/disable`)
        .set(bearer(admin))
        .send({});
      expect(self.status).toBe(422);
      expect((await world.http.get('/api/v1/users/me').set(bearer(token))).status).toBe(200);

      const disabled = await disable(admin);
      expect(disabled.status).toBe(200);
      expect(disabled.body).toMatchObject({ id: userId, appended: true });
      const [event] = (await world.store.readStream(userStreamId(userId))).filter(
        (e) => e.type === 'UserDisabled',
      );
      expect(event.data).toEqual({ userId, by: BOOTSTRAP_ADMIN_ID, reason: 'left the mission' });
      await world.eventually(async () => {
        const me = await world.http.get('/api/v1/users/me').set(bearer(token));
        expect(me.status).toBe(401);
        expect(me.body.detail).toBe('This account is disabled.');
      });
      const login = await world.http.post('/api/v1/auth/token').send({ email, password });
      expect(login.status).toBe(401);
      expect(login.body.detail).toBe('The email or the password is wrong.');
      // Disabling again changes nothing.
      expect((await disable(admin)).body).toMatchObject({ id: userId, appended: false });
    });

    it('answers every one of parallel correct logins of one account with a token', async () => {
      const statuses = await Promise.all(
        Array.from({ length: 8 }, () =>
          world.http
            .post('/api/v1/auth/token')
            .set('x-forwarded-for', '192.0.2.77')
            .send({ email: dana.email, password: dana.password })
            .then((response) => response.status),
        ),
      );
      expect(statuses).toEqual(Array(8).fill(200));
    });
  });
});
