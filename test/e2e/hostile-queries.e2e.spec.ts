/**
 * Every read route of the standalone app, as its OpenAPI document lists them, asked what a client
 * should never send: NUL and lone surrogates in path and query parameters, 10 000-character values,
 * limits past their range (0, 501, -1, 1e400, 2147483648, 1.5), repeated and bracketed parameters
 * (which Express reads as lists and objects), forged cursors and cursors of another list or mission,
 * ids of another mission's resources. Each answers 4xx problem+json (never 5xx) and shows nothing of
 * the other mission; reads write nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { kyrgyzstan2023LtoCall } from '#accreditation';
import { anna, boris, kazakhMission, kyrgyzMission } from './fixtures.js';
import { bearer, startStandalone, type World } from './harness.js';

const PROBLEM = /^application\/problem\+json/;

/** Every read route the document lists, with its query parameters: a route added to the API must be added here. */
const READ_ROUTES: Record<string, readonly string[]> = {
  'GET /health': [],
  'GET /metrics': [],
  'GET /api/v1/users/me': [],
  'GET /api/v1/missions': ['limit', 'cursor'],
  'GET /api/v1/missions/{missionId}': [],
  'GET /api/v1/missions/{missionId}/rule-sets': ['limit', 'cursor'],
  'GET /api/v1/missions/{missionId}/applications': ['limit', 'cursor', 'status'],
  'GET /api/v1/missions/{missionId}/applications/{applicationId}': [],
  'GET /api/v1/missions/{missionId}/imports/{jobId}': [],
  'GET /api/v1/missions/{missionId}/observers': ['limit', 'cursor', 'delegation', 'role', 'language'],
  'GET /api/v1/missions/{missionId}/badges/{badgeNumber}': [],
};

/** Raw query strings, as sent, that no parameter may take. */
const everyParameter = (name: string): Record<string, string> => ({
  NUL: `${name}=a%00b`,
  'a lone surrogate': `${name}=%ED%A0%80`,
  '10 000 characters': `${name}=${'x'.repeat(10_000)}`,
  'given twice': `${name}=a&${name}=b`,
  'as an object': `${name}[a]=1`,
  'as a deep object': `${name}${'[a]'.repeat(30)}=1`,
});
const LIMITS = ['0', '501', '-1', '1e400', '2147483648', '1.5', 'ten', ''];
const FORGED_CURSORS = [
  'x',
  'AAAA',
  Buffer.from('{"after":["\' OR 1=1 --"]}').toString('base64url'),
  Buffer.from(JSON.stringify({ keys: Array(10_000).fill(0) }))
    .toString('base64url')
    .slice(0, 590),
  '!!not base64!!',
];

describe('hostile queries on every read route (standalone)', () => {
  let world: World;
  let admin: string;
  let document: { paths: Record<string, Record<string, { parameters?: { in: string; name: string }[] }>> };
  /** Ids of a mission with an application, a badge-less observer and an import job, and of a second mission. */
  let ids: Record<string, string>;
  let otherMission: string;
  let cursors: Record<string, string>;

  const url = (route: string, params: Record<string, string> = {}) =>
    route
      .split(' ')[1]
      .replace(/\{(\w+)\}/g, (_, name: string) => params[name] ?? encodeURIComponent(ids[name]));
  const get = (path: string) => world.http.get(path).set(bearer(admin));

  /** Why the answer is not a refusal (4xx problem+json), or undefined when it is. */
  const notRefused = (
    response: { status: number; headers: Record<string, string>; text: string },
    what: string,
  ): string | undefined =>
    response.status >= 400 && response.status < 500 && PROBLEM.test(response.headers['content-type'] ?? '')
      ? undefined
      : `${what}: ${response.status} ${response.headers['content-type']} ${response.text.slice(0, 200)}`;
  const expectRefused = (
    response: { status: number; headers: Record<string, string>; text: string },
    what: string,
  ) => expect(notRefused(response, what)).toBeUndefined();

  beforeAll(async () => {
    world = await startStandalone();
    admin = await world.asAdmin();
    const missionOf = async (body: object) => {
      const response = await world.http.post('/api/v1/missions').set(bearer(admin)).send(body);
      expect(response.status).toBe(201);
      return response.body.id as string;
    };
    const missionId = await missionOf(kyrgyzMission);
    otherMission = await missionOf(kazakhMission);
    for (const mission of [missionId, otherMission]) {
      await world.eventually(async () => expect((await get(`/api/v1/missions/${mission}`)).status).toBe(200));
      expect(
        (
          await world.http
            .post(`/api/v1/missions/${mission}/rule-sets`)
            .set(bearer(admin))
            .send(kyrgyzstan2023LtoCall(mission))
        ).status,
      ).toBe(201);
    }
    const submit = async (mission: string, body: object) => {
      const response = await world.http
        .post(`/api/v1/missions/${mission}/applications`)
        .set(bearer(admin))
        .send(body);
      expect(response.status).toBe(201);
      return response.body.id as string;
    };
    const applicationId = await submit(missionId, anna);
    await submit(missionId, boris);
    const othersApplication = await submit(otherMission, anna);
    await submit(otherMission, boris);
    const imported = await world.http
      .post(`/api/v1/missions/${missionId}/applications/import`)
      .set(bearer(admin))
      .set('content-type', 'text/csv')
      .send('given_name\n');
    const jobId = String(imported.headers.location).split('/').pop()!;
    await world.eventually(async () => {
      expect((await get(`/api/v1/missions/${missionId}/applications/${applicationId}`)).status).toBe(200);
      expect((await get(`/api/v1/missions/${otherMission}/applications?limit=1`)).body.nextCursor).toEqual(
        expect.any(String),
      );
    });
    ids = { missionId, applicationId, jobId, badgeNumber: 'KG-LTO-0001', othersApplication };
    const nextOf = async (path: string) => (await get(path)).body.nextCursor as string;
    cursors = {
      'of the other mission': await nextOf(`/api/v1/missions/${otherMission}/applications?limit=1`),
      'of another list': await nextOf(`/api/v1/missions/${missionId}/rule-sets?limit=1`).catch(() => ''),
      'of another filter': await nextOf(
        `/api/v1/missions/${missionId}/applications?limit=1&status=submitted`,
      ),
    };
    document = (await world.http.get('/api/docs-json')).body;
  }, 180_000);
  afterAll(() => world?.close(), 60_000);

  it('covers every read route the OpenAPI document lists, with its query parameters', () => {
    const documented = Object.fromEntries(
      Object.entries(document.paths)
        .filter(([, operations]) => operations.get !== undefined)
        .map(([path, operations]) => [
          `GET ${path}`,
          (operations.get.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
        ]),
    );
    expect(documented).toEqual(READ_ROUTES);
  });

  it('refuses every hostile parameter with 4xx problem+json, and writes nothing', async () => {
    const head = await world.store.headPosition();
    const accepted: string[] = [];
    const refuse = async (path: string, what: string) => {
      const why = notRefused(await get(path), what);
      if (why !== undefined) accepted.push(why);
    };
    let sent = 0;
    for (const [route, query] of Object.entries(READ_ROUTES)) {
      for (const name of route.match(/\{(\w+)\}/g)?.map((p) => p.slice(1, -1)) ?? []) {
        const spoiled: Record<string, string> = {
          NUL: `${encodeURIComponent(ids[name])}%00`,
          'a lone surrogate': `${encodeURIComponent(ids[name])}%ED%A0%80`,
          '10 000 characters': 'x'.repeat(10_000),
          'an unknown id': '5d0c1e4e-0000-4000-8000-000000000000',
          'a path step': '..%2F..%2Fhealth',
        };
        for (const [label, value] of Object.entries(spoiled)) {
          await refuse(url(route, { [name]: value }), `${route} with ${label} as ${name}`);
          sent++;
        }
      }
      for (const name of query) {
        const values = { ...everyParameter(name) };
        if (name === 'limit')
          for (const limit of LIMITS) values[`limit ${limit || '(empty)'}`] = `limit=${limit}`;
        if (name === 'cursor') {
          FORGED_CURSORS.forEach(
            (cursor, i) => (values[`forged cursor ${i}`] = `cursor=${encodeURIComponent(cursor)}`),
          );
          if (route.includes('{missionId}/applications'))
            for (const [label, cursor] of Object.entries(cursors))
              if (cursor) values[`a cursor ${label}`] = `cursor=${cursor}`;
        }
        if (name === 'status' || name === 'role') values['an unknown value'] = `${name}=granted%27%3B--`;
        for (const [label, raw] of Object.entries(values)) {
          await refuse(`${url(route)}?${raw}`, `${route} with ${name} ${label}`);
          sent++;
        }
      }
    }
    expect(accepted).toEqual([]);
    expect(sent).toBeGreaterThan(150);
    expect(await world.store.headPosition()).toEqual(head);
  }, 600_000);

  it("shows nothing of another mission's resources through this mission's routes", async () => {
    const { missionId, othersApplication } = ids;
    expectRefused(
      await get(`/api/v1/missions/${missionId}/applications/${othersApplication}`),
      "the other mission's application through this mission",
    );
    const listed = await get(`/api/v1/missions/${missionId}/applications?limit=500`);
    expect(listed.status).toBe(200);
    expect((listed.body.items as { id: string }[]).map((a) => a.id)).not.toContain(othersApplication);
  });
});
