/**
 * Every write route of the standalone app, as its OpenAPI document lists them, fed what storage cannot
 * hold or the API must not take: NUL characters, lone surrogates, 1e308, 1e400, 2147483648, -1, impossible
 * dates, bodies nested 10 000 deep, huge strings and lists, wrong types, bad keys, bad path parameters.
 * Each answers 4xx problem+json (never 5xx), nothing reaches the event store, and afterwards a fresh
 * valid write of each kind still shows up in its read model: no projection was stalled.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import ExcelJS from 'exceljs';
import { kyrgyzstan2023LtoCall } from '#accreditation';
import { MAX_BODY_DEPTH } from '#platform';
import { anna, boris, HEADER, kyrgyzMission } from './fixtures.js';
import { ADMIN, bearer, startStandalone, type World } from './harness.js';
import { importReport } from './import-jobs.js';

const PROBLEM = /^application\/problem\+json/;
const WRITE_METHODS = ['post', 'put', 'patch', 'delete'];
const IMPORT = 'POST /api/v1/missions/{missionId}/applications/import';

/** Every write route, by method and documented path: a route added to the API must be added here. */
const WRITE_ROUTES = [
  'POST /api/v1/auth/token',
  'POST /api/v1/users',
  'POST /api/v1/users/{userId}/disable',
  'POST /api/v1/missions',
  'POST /api/v1/missions/{missionId}/delegations',
  'DELETE /api/v1/missions/{missionId}/delegations/{country}',
  'POST /api/v1/missions/{missionId}/staff',
  'DELETE /api/v1/missions/{missionId}/staff/{userId}/roles/{role}',
  'POST /api/v1/missions/{missionId}/close',
  'POST /api/v1/missions/{missionId}/rule-sets',
  'POST /api/v1/missions/{missionId}/applications',
  IMPORT,
  'POST /api/v1/missions/{missionId}/applications/{applicationId}/screen',
  'POST /api/v1/missions/{missionId}/applications/{applicationId}/approve',
  'POST /api/v1/missions/{missionId}/applications/{applicationId}/reject',
  'POST /api/v1/missions/{missionId}/applications/{applicationId}/accreditation-request',
  'POST /api/v1/missions/{missionId}/applications/{applicationId}/grant',
  'POST /api/v1/missions/{missionId}/applications/{applicationId}/refuse',
  'POST /api/v1/missions/{missionId}/applications/{applicationId}/suspend',
  'POST /api/v1/missions/{missionId}/applications/{applicationId}/reinstate',
  'POST /api/v1/missions/{missionId}/applications/{applicationId}/revoke',
  'POST /api/v1/missions/{missionId}/applications/{applicationId}/expire',
  'POST /api/v1/missions/{missionId}/persons/{personId}/erase',
].sort();

type Ids = Record<'missionId' | 'applicationId' | 'personId' | 'userId', string>;

/** A valid body of each JSON write route, which the mutations below spoil one place at a time. */
const validBodies = (ids: Ids): Record<string, unknown> => ({
  'POST /api/v1/auth/token': { email: ADMIN.email, password: 'not the password at all' },
  'POST /api/v1/users': { email: 'hostile@mission.example', password: 'a long enough passphrase' },
  'POST /api/v1/users/{userId}/disable': { reason: 'left the mission' },
  'POST /api/v1/missions': kyrgyzMission,
  'POST /api/v1/missions/{missionId}/delegations': { country: 'DE', headOfDelegation: 'Dr. Erika Vogel' },
  'POST /api/v1/missions/{missionId}/staff': { userId: ids.userId, role: 'observer' },
  'POST /api/v1/missions/{missionId}/close': { reason: 'final statement published' },
  'POST /api/v1/missions/{missionId}/rule-sets': { ...kyrgyzstan2023LtoCall(ids.missionId), version: 2 },
  'POST /api/v1/missions/{missionId}/applications': {
    ...boris,
    person: { ...boris.person, contacts: [{ kind: 'phone', value: '+43 1 234 5678' }] },
  },
  'POST /api/v1/missions/{missionId}/applications/{applicationId}/screen': {
    ruleSetId: 'kg-2023-parliamentary-lto',
  },
  'POST /api/v1/missions/{missionId}/applications/{applicationId}/approve': { reason: 'eligible' },
  'POST /api/v1/missions/{missionId}/applications/{applicationId}/reject': { reason: 'late' },
  'POST /api/v1/missions/{missionId}/applications/{applicationId}/accreditation-request': {
    hostBody: 'CEC of the Kyrgyz Republic',
  },
  'POST /api/v1/missions/{missionId}/applications/{applicationId}/grant': {
    badgeNumber: 'KG-LTO-0001',
    validFrom: '2023-11-01T00:00:00Z',
    validTo: '2023-12-15T00:00:00Z',
    conditions: ['photo and video only where the precinct chair allows'],
  },
  'POST /api/v1/missions/{missionId}/applications/{applicationId}/refuse': { reason: 'no answer' },
  'POST /api/v1/missions/{missionId}/applications/{applicationId}/suspend': { reason: 'left early' },
  'POST /api/v1/missions/{missionId}/applications/{applicationId}/revoke': { reason: 'left the mission' },
});

type Path = readonly (string | number)[];
/** A spoiled body as raw JSON (so it can hold what JSON.stringify cannot write), and what must be named. */
type Mutation = { readonly label: string; readonly json: string; readonly field?: string };

const DEEP = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
const HUGE = 'x'.repeat(100_000);
/** Markers the mutated body carries as strings, replaced by raw JSON that JSON.stringify cannot write. */
const RAW_VALUES: Record<string, string> = { '@@deep@@': DEEP, '@@1e400@@': '1e400' };
const raw = (name: string): string => `@@${name}@@`;

const setAt = (body: unknown, path: Path, value: unknown): unknown => {
  if (path.length === 0) return value;
  const copy = (Array.isArray(body) ? [...body] : { ...(body as object) }) as Record<
    string | number,
    unknown
  >;
  copy[path[0]] = setAt(copy[path[0]], path.slice(1), value);
  return copy;
};

const jsonOf = (body: unknown): string => {
  let json = JSON.stringify(body);
  for (const [marker, value] of Object.entries(RAW_VALUES)) json = json.split(`"${marker}"`).join(value);
  return json;
};

const field = (path: Path): string => path.join('.');
/** Where the edge names a value nested 10 000 deep at `path`: the container past MAX_BODY_DEPTH. */
const deepField = (path: Path): string =>
  field([...path, ...Array<number>(MAX_BODY_DEPTH - path.length).fill(0)]);

/** Every place of a body, from the body itself down to each leaf. */
const placesOf = (value: unknown, path: Path = []): { path: Path; value: unknown }[] => [
  { path, value },
  ...(typeof value === 'object' && value !== null
    ? Object.entries(value).flatMap(([key, item]) =>
        placesOf(item, [...path, Array.isArray(value) ? Number(key) : key]),
      )
    : []),
];

/** What no route may take, whatever its body: the edge refuses these before any route sees them. */
const edgeMutations = (body: unknown): Mutation[] =>
  placesOf(body).flatMap(({ path, value }): Mutation[] => {
    const at = (label: string, spoiled: unknown, named?: string): Mutation => ({
      label: `${label} at ${field(path) || '(body)'}`,
      json: jsonOf(setAt(body, path, spoiled)),
      field: named,
    });
    const found: Mutation[] = [at('10 000-deep nesting', raw('deep'), deepField(path))];
    // A bare number as the whole body is refused by the JSON parser (objects and lists only), unnamed.
    if (path.length > 0) found.push(at('1e400', raw('1e400'), field(path)));
    if (typeof value === 'string')
      found.push(
        at('NUL', `${value}\u0000`, field(path)),
        at('lone high surrogate', `${value}\ud800`, field(path)),
        at('lone low surrogate', `\udc00${value}`, field(path)),
      );
    if (typeof value === 'object' && value !== null && !Array.isArray(value))
      found.push(
        at('a key with NUL', { ...value, 'a\u0000': true }, field([...path, 'a\\u0000'])),
        at('a key with a lone surrogate', { ...value, '\ud800': 1 }, field([...path, '\\ud800'])),
      );
    return found;
  });

/** What a route's own validation must refuse: wrong types, out-of-range numbers, impossible dates, sizes. */
const fieldMutations = (body: unknown): Mutation[] =>
  placesOf(body)
    .filter(({ path }) => path.length > 0)
    .flatMap(({ path, value }): Mutation[] => {
      const at = (label: string, spoiled: unknown): Mutation => ({
        label: `${label} at ${field(path)}`,
        json: jsonOf(setAt(body, path, spoiled)),
      });
      if (typeof value === 'string') {
        const spoiled = [at('huge string', HUGE), at('number', 12), at('object', {}), at('1e308', 1e308)];
        if (/^\d{4}-\d{2}-\d{2}/.test(value))
          spoiled.push(
            at('30 February', value.replace(/^\d{4}-\d{2}-\d{2}/, '2023-02-30')),
            at('0000-00-00', value.replace(/^\d{4}-\d{2}-\d{2}/, '0000-00-00')),
          );
        return spoiled;
      }
      if (typeof value === 'number')
        return [at('1e308', 1e308), at('2147483648', 2_147_483_648), at('-1', -1), at('text', 'two')];
      if (typeof value === 'boolean') return [at('text', 'yes'), at('number', 1)];
      if (value === null) return [at('number', 12)];
      if (Array.isArray(value))
        return [
          at('text', 'x'),
          at('object', {}),
          at('huge list', Array<unknown>(100_000).fill(value[0] ?? 'x')),
        ];
      return [at('text', 'x'), at('list', []), at('1e308', 1e308)];
    });

describe('hostile input on every write route (standalone)', () => {
  let world: World;
  let admin: string;
  let ids: Ids;
  let document: { paths: Record<string, Record<string, { requestBody?: unknown }>> };
  const paramValue = (name: string): string =>
    (({ ...ids, country: 'DE', role: 'observer' }) as Record<string, string>)[name];
  /** The route's URL with its parameters filled in; `encodedSuffix` is appended, as sent, to one of them. */
  const urlOf = (route: string, spoiled?: { name: string; encodedSuffix: string }) =>
    route
      .split(' ')[1]
      .replace(
        /\{(\w+)\}/g,
        (_, name: string) =>
          encodeURIComponent(paramValue(name)) + (spoiled?.name === name ? spoiled.encodedSuffix : ''),
      );
  const send = (route: string, url: string) => {
    const method = route.split(' ')[0].toLowerCase() as 'post' | 'delete';
    return world.http[method](url).set(bearer(admin));
  };

  /** A refusal: 4xx, problem+json, and, where given, the field named. */
  const expectRefused = (
    response: { status: number; headers: Record<string, string>; text: string },
    what: string,
    named?: string,
  ) => {
    const seen = `${what}: ${response.status} ${response.text.slice(0, 300)}`;
    expect({ seen, clientError: response.status >= 400 && response.status < 500 }).toEqual({
      seen,
      clientError: true,
    });
    expect(response.headers['content-type']).toMatch(PROBLEM);
    if (named !== undefined)
      expect({
        seen,
        fields: (JSON.parse(response.text) as { errors?: { field: string }[] }).errors?.map((e) => e.field),
      }).toEqual({
        seen,
        fields: [named],
      });
  };

  beforeAll(async () => {
    world = await startStandalone();
    admin = await world.asAdmin();
    const opened = await world.http.post('/api/v1/missions').set(bearer(admin)).send(kyrgyzMission);
    const missionId = opened.body.id as string;
    const userId = await world.registerUser('observer@hostile.example', 'observer passphrase 1');
    await world.eventually(async () =>
      expect((await world.http.get(`/api/v1/missions/${missionId}`).set(bearer(admin))).status).toBe(200),
    );
    const ruleSet = await world.http
      .post(`/api/v1/missions/${missionId}/rule-sets`)
      .set(bearer(admin))
      .send(kyrgyzstan2023LtoCall(missionId));
    expect(ruleSet.status).toBe(201);
    const submitted = await world.http
      .post(`/api/v1/missions/${missionId}/applications`)
      .set(bearer(admin))
      .send(anna);
    expect(submitted.status).toBe(201);
    const applicationId = submitted.body.id as string;
    const view = await world.eventually(async () => {
      const response = await world.http
        .get(`/api/v1/missions/${missionId}/applications/${applicationId}`)
        .set(bearer(admin));
      expect(response.status).toBe(200);
      return response.body as { personId: string };
    });
    ids = { missionId, applicationId, personId: view.personId, userId };
    document = (await world.http.get('/api/docs-json')).body;
  }, 180_000);
  afterAll(() => world?.close(), 60_000);

  it('covers every write route the OpenAPI document lists, and has a body for each that takes JSON', () => {
    const documented = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.keys(operations)
        .filter((method) => WRITE_METHODS.includes(method))
        .map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(WRITE_ROUTES);
    const withBody = WRITE_ROUTES.filter((route) => {
      const [method, path] = route.split(' ');
      return document.paths[path][method.toLowerCase()].requestBody !== undefined;
    });
    expect(withBody.filter((route) => route !== IMPORT).sort()).toEqual(Object.keys(validBodies(ids)).sort());
  });

  it('refuses every hostile body, parameter and file with 4xx problem+json, and writes nothing', async () => {
    const head = await world.store.headPosition();
    const bodies = validBodies(ids);
    let sent = 0;

    for (const route of WRITE_ROUTES) {
      const url = urlOf(route);
      const valid = bodies[route];
      // A route that takes no body still gets one: the edge checks every JSON body before routing.
      const mutations: Mutation[] = [
        ...edgeMutations(valid ?? { note: 'a body this route does not take' }),
        ...(valid === undefined
          ? []
          : [...fieldMutations(valid), { label: 'a list instead of an object', json: '[]' }]),
        { label: 'a body over the limit', json: JSON.stringify({ blob: 'x'.repeat(1_100_000) }) },
      ];
      for (const mutation of mutations) {
        const response = await send(route, url).set('content-type', 'application/json').send(mutation.json);
        expectRefused(response, `${route} with ${mutation.label}`, mutation.field);
        sent++;
      }

      for (const param of route.match(/\{(\w+)\}/g) ?? []) {
        const name = param.slice(1, -1);
        const withNul = await send(route, urlOf(route, { name, encodedSuffix: '%00' }));
        // missionId is checked first by the guard (a UUID); every other parameter by the edge, by name.
        expectRefused(withNul, `${route} with NUL in ${name}`, name === 'missionId' ? undefined : name);
        // UTF-8 cannot encode a lone surrogate: its would-be bytes do not decode, and are refused.
        const surrogate = await send(route, urlOf(route, { name, encodedSuffix: '%ED%A0%80' }));
        expectRefused(surrogate, `${route} with a lone surrogate in ${name}`);
        sent += 2;
      }
    }

    // Imports: a cell with NUL (CSV) or a lone surrogate (XLSX's _xD800_ escape) refuses the file, naming the cell.
    const importUrl = urlOf(IMPORT);
    const header = HEADER.split(',');
    const row = [
      'Jana',
      'Novakova',
      '1975-02-11',
      'CZ',
      'passport',
      'CZ4410021',
      'jana@example.org',
      'cs;en',
      'LTO',
      'CZ',
      'none',
      'passport',
    ];
    for (const [i, column] of header.entries()) {
      const cells = row.map((cell, j) => (j === i ? `${cell}\u0000` : cell));
      const response = await send(IMPORT, importUrl)
        .set('content-type', 'text/csv')
        .send(`${HEADER}\n${cells.join(',')}\n`);
      expectRefused(response, `a CSV with NUL in ${column}`, `row 2.${column}`);
      sent++;
    }
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('observers');
    sheet.addRow(header);
    sheet.addRow(row.map((cell, j) => (j === 0 ? `${cell}_xD800_` : cell)));
    const xlsx = Buffer.from(await workbook.xlsx.writeBuffer());
    expectRefused(
      await send(IMPORT, importUrl).attach('file', xlsx, 'observers.xlsx'),
      'an XLSX with a lone surrogate',
      'row 2.given_name',
    );
    expectRefused(
      await send(IMPORT, importUrl).set('content-type', 'application/json').send(DEEP),
      'a 10 000-deep JSON body on the import route',
    );
    sent += 2;

    expect(sent).toBeGreaterThan(900);
    expect(await world.store.headPosition()).toEqual(head);
  }, 600_000);

  it('answers 404 on every write route of a mission nobody opened, even to the platform administrator, writing nothing', async () => {
    const head = await world.store.headPosition();
    const bodies = validBodies(ids);
    const nobodys = { ...ids, missionId: '5d0c1e4e-0000-4000-8000-000000000000' };
    const mission = (route: string) =>
      urlOf(route).replace(encodeURIComponent(ids.missionId), nobodys.missionId);
    const scoped = WRITE_ROUTES.filter((route) => route.includes('{missionId}'));
    expect(scoped.length).toBeGreaterThan(15);
    for (const route of scoped) {
      const response =
        route === IMPORT
          ? await send(route, mission(route))
              .set('content-type', 'text/csv')
              .send(`${HEADER}\nJana,Novakova,1975-02-11,CZ,passport,CZ4410021,,cs,LTO,CZ,none,\n`)
          : await send(route, mission(route)).send(
              (validBodies(nobodys)[route] ?? bodies[route] ?? {}) as object,
            );
      expect({ route, status: response.status }).toEqual({ route, status: 404 });
      expect(response.headers['content-type']).toMatch(PROBLEM);
    }
    expect(await world.store.headPosition()).toEqual(head);
  });

  it('answers an imported row too long to keep with a refusal in the report, creating nothing', async () => {
    const head = await world.store.headPosition();
    const response = await send(IMPORT, urlOf(IMPORT))
      .set('content-type', 'text/csv')
      .send(`${HEADER}\n${'J'.repeat(201)},Novakova,1975-02-11,CZ,passport,CZ4410021,,cs,LTO,CZ,none,\n`);
    expect(await importReport(world, admin, response)).toMatchObject({
      created: 0,
      refused: 1,
      rows: [
        {
          row: 2,
          status: 'refused',
          errors: [{ field: 'given_name', message: 'must be at most 200 characters' }],
        },
      ],
    });
    expect(await world.store.headPosition()).toEqual(head);
  });

  it('still shows fresh valid writes in every read model within seconds', async () => {
    const { missionId } = ids;
    const mission = `/api/v1/missions/${missionId}`;
    const opened = await world.http
      .post('/api/v1/missions')
      .set(bearer(admin))
      .send({ ...kyrgyzMission, name: 'EOM Kyrgyz Republic, second round 🗳️' });
    expect(opened.status).toBe(201);
    expect(
      (
        await world.http
          .post(`${mission}/delegations`)
          .set(bearer(admin))
          .send({ country: 'AT', headOfDelegation: 'Мария Иванова' })
      ).status,
    ).toBe(201);
    expect(
      (
        await world.http
          .post(`${mission}/staff`)
          .set(bearer(admin))
          .send({ userId: ids.userId, role: 'observer' })
      ).status,
    ).toBe(201);
    const ruleSet = { ...kyrgyzstan2023LtoCall(missionId), version: 2 };
    expect((await world.http.post(`${mission}/rule-sets`).set(bearer(admin)).send(ruleSet)).status).toBe(201);
    const submitted = await world.http.post(`${mission}/applications`).set(bearer(admin)).send(boris);
    expect(submitted.status).toBe(201);
    const imported = await world.http
      .post(`${mission}/applications/import`)
      .set(bearer(admin))
      .set('content-type', 'text/csv')
      .send(
        `${HEADER}\nJana,Novakova,1975-02-11,CZ,passport,CZ4410021,jana@example.org,cs;en,LTO,CZ,none,passport\n`,
      );
    const importedRows = await importReport(world, admin, imported);
    expect(importedRows).toMatchObject({ created: 1 });
    const userId = await world.registerUser('late@hostile.example', 'a late observer passphrase');

    await world.eventually(async () => {
      const other = await world.http.get(`/api/v1/missions/${opened.body.id}`).set(bearer(admin));
      expect(other.body).toMatchObject({ name: 'EOM Kyrgyz Republic, second round 🗳️' });
      const detail = await world.http.get(mission).set(bearer(admin));
      expect(detail.body.delegations).toContainEqual({ country: 'AT', headOfDelegation: 'Мария Иванова' });
      expect(detail.body.staff).toContainEqual({ userId: ids.userId, roles: ['observer'] });
      expect((await world.http.get(`${mission}/rule-sets`).set(bearer(admin))).body).toEqual({
        items: [ruleSet],
        nextCursor: null,
      });
      for (const id of [submitted.body.id, importedRows.rows[0].applicationId])
        expect((await world.http.get(`${mission}/applications/${id}`).set(bearer(admin))).status).toBe(200);
    });
    expect(await world.login('late@hostile.example', 'a late observer passphrase')).toEqual(
      expect.any(String),
    );
    expect(userId).toEqual(expect.any(String));
  });
});
