/**
 * Who may call which accreditation route: every route × every role × own/other mission, in both run
 * modes. "own": the mission in which the caller holds the role; "other": one in which they
 * hold none. Writers are the secretariat and the head of mission, erasure is the secretariat's alone,
 * readers are every mission role but the observer (403); someone with no role in a mission learns
 * nothing of it (404); the platform administrator may do everything, in every mission.
 *
 * Each call is one that succeeds when allowed: a write acts on an application in the state its step
 * needs (a fresh one for every allowed case, one per mission and state shared by the refused cases),
 * so an allowed case expects the route's success status, and a refused one is refused by the guard
 * alone. A refused call must change nothing: neither the application it named nor the store.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { applicationStream, kyrgyzstan2023LtoCall } from '#accreditation';
import { MISSION_ROLES, type MissionRole } from '#auth';
import { noConflicts } from './fixtures.js';
import { startDistributed } from './distributed.js';
import { bearer, startStandalone, type World } from './harness.js';

type Role = MissionRole | 'admin' | 'none';
type Whose = 'own' | 'other';
const ROLES: readonly Role[] = [...MISSION_ROLES, 'admin', 'none'];

const WRITERS: readonly MissionRole[] = ['secretariat', 'head_of_mission'];
const READERS: readonly MissionRole[] = ['secretariat', 'head_of_mission', 'team_lead', 'analyst', 'auditor'];
const RULE_SET = 'kg-2023-parliamentary-lto';

/** The states a step needs its application in; `lapsed` is granted with a badge already past validTo. */
type State = 'submitted' | 'screened' | 'approved' | 'requested' | 'granted' | 'suspended' | 'lapsed';
const STATES: readonly State[] = [
  'submitted',
  'screened',
  'approved',
  'requested',
  'granted',
  'suspended',
  'lapsed',
];

/** What a case acts on: its mission, an application (and its person) in the state the route needs. */
type Target = {
  mission: string;
  application: string;
  person: string;
  badge: string;
  n: number;
  /** An import job of the mission. */
  job: string;
};

type Route = {
  readonly name: string;
  readonly method: 'get' | 'post';
  /** Its handler finds what it acts on in a read model: a fresh application must be visible first. */
  readonly readsModel?: boolean;
  readonly access: readonly MissionRole[];
  readonly success: number;
  /** Writes: the state of the application it acts on (`none` when it acts on no application). */
  readonly needs?: State | 'none';
  readonly path: (t: Target) => string;
  readonly body?: (t: Target) => object | string;
  readonly contentType?: string;
  /** Writes: what it writes is written after the answer (an import job). */
  readonly inBackground?: boolean;
};

/** An applicant who passes the Kyrgyz LTO call; `n` makes the person (and so the application) new. */
const applicant = (n: number) => ({
  delegation: 'DE',
  role: 'LTO',
  person: {
    names: { latin: { given: 'Anna', family: `Matrix${n}` }, local: null },
    dateOfBirth: '1980-05-17',
    nationality: 'DE',
    otherCitizenships: [],
    identityDocument: { kind: 'passport', number: `MX${String(n).padStart(7, '0')}`, issuingCountry: 'DE' },
    contacts: [],
    languages: ['de', 'en', 'ru'],
    declarations: { conflictsOfInterest: noConflicts, documentsProvided: ['passport', 'photo'] },
  },
});
const CSV_HEADER =
  'given_name,family_name,date_of_birth,nationality,document_kind,document_number,email,languages,role,delegation,conflicts_of_interest,documents_provided';
const csvOf = (n: number) =>
  `${CSV_HEADER}\nJana,Import${n},1975-02-11,CZ,passport,IM${String(n).padStart(7, '0')},,cs;en,STO,CZ,none,passport\n`;
const grantBody = (badge: string, validTo = '2099-12-15T00:00:00Z') => ({
  badgeNumber: badge,
  validFrom: '2023-11-01T00:00:00Z',
  validTo,
});

const api = (t: Target, path: string) => `/api/v1/missions/${t.mission}${path}`;
const step = (name: string, needs: State, body?: (t: Target) => object): Route => ({
  name: `POST applications/:id/${name}`,
  method: 'post',
  access: WRITERS,
  success: 200,
  needs,
  path: (t) => api(t, `/applications/${t.application}/${name}`),
  ...(body && { body }),
});

const ROUTES: readonly Route[] = [
  {
    name: 'POST rule-sets',
    method: 'post',
    access: WRITERS,
    success: 201,
    needs: 'none',
    path: (t) => api(t, '/rule-sets'),
    body: (t) => ({ ...kyrgyzstan2023LtoCall(t.mission), id: `matrix-rules-${t.n}` }),
  },
  { name: 'GET rule-sets', method: 'get', access: READERS, success: 200, path: (t) => api(t, '/rule-sets') },
  {
    name: 'POST applications',
    method: 'post',
    access: WRITERS,
    success: 201,
    needs: 'none',
    path: (t) => api(t, '/applications'),
    body: (t) => applicant(100_000 + t.n),
  },
  {
    name: 'POST applications/import',
    method: 'post',
    access: WRITERS,
    success: 202,
    needs: 'none',
    path: (t) => api(t, '/applications/import'),
    body: (t) => csvOf(t.n),
    contentType: 'text/csv',
    inBackground: true,
  },
  {
    name: 'GET imports/:jobId',
    method: 'get',
    access: WRITERS,
    success: 200,
    path: (t) => api(t, `/imports/${t.job}`),
  },
  {
    name: 'GET applications',
    method: 'get',
    access: READERS,
    success: 200,
    path: (t) => api(t, '/applications'),
  },
  {
    name: 'GET applications/:id',
    method: 'get',
    access: READERS,
    success: 200,
    path: (t) => api(t, `/applications/${t.application}`),
  },
  step('screen', 'submitted', () => ({ ruleSetId: RULE_SET })),
  step('approve', 'screened', () => ({})),
  step('reject', 'submitted', () => ({ reason: 'not eligible' })),
  step('accreditation-request', 'approved', () => ({ hostBody: 'Central Election Commission' })),
  step('grant', 'requested', (t) => grantBody(`MX-GRANT-${t.n}`)),
  step('refuse', 'requested', () => ({ reason: 'the commission refused' })),
  step('suspend', 'granted', () => ({ reason: 'left the area of responsibility' })),
  step('reinstate', 'suspended'),
  step('revoke', 'granted', () => ({ reason: 'breach of the code of conduct' })),
  step('expire', 'lapsed'),
  { name: 'GET observers', method: 'get', access: READERS, success: 200, path: (t) => api(t, '/observers') },
  {
    name: 'GET badges/:badge',
    method: 'get',
    access: READERS,
    success: 200,
    path: (t) => api(t, `/badges/${t.badge}`),
  },
  {
    name: 'POST persons/:id/erase',
    method: 'post',
    access: ['secretariat'],
    success: 200,
    needs: 'submitted',
    readsModel: true,
    path: (t) => api(t, `/persons/${t.person}/erase`),
  },
];

const expected = (route: Route, role: Role, whose: Whose): number => {
  if (role === 'admin') return route.success;
  if (role === 'none' || whose === 'other') return 404;
  return route.access.includes(role) ? route.success : 403;
};

const CASES = ROUTES.flatMap((route) =>
  ROLES.flatMap((role) =>
    (['own', 'other'] as const).map((whose) => ({
      route,
      role,
      whose,
      status: expected(route, role, whose),
    })),
  ),
).map((c, n) => ({ ...c, n }));

/** Both run modes: in the distributed one the gateway guards, and the contexts sit behind gRPC. */
const MODES = [
  ['standalone', startStandalone],
  ['distributed', startDistributed],
] as const;

/** Where a route's path puts its parameters, as the OpenAPI document names them. */
const TEMPLATE: Target = {
  mission: '{missionId}',
  application: '{applicationId}',
  person: '{personId}',
  badge: '{badgeNumber}',
  n: 0,
  job: '{jobId}',
};

describe.each(MODES)('accreditation authorization matrix (%s)', (_mode, start) => {
  let world: World;
  let admin: string;
  const tokens = new Map<Role, string>();
  const missions = new Map<Whose, string>();
  /** Per mission, an application in each state, for the refused cases (which must leave it as it is). */
  const shared = new Map<string, Target>();

  const call = (
    token: string,
    method: 'get' | 'post',
    path: string,
    body?: object | string,
    type?: string,
  ) => {
    let request = world.http[method](path).set(bearer(token));
    if (type) request = request.set('content-type', type);
    return body === undefined ? request : request.send(body);
  };
  const ok = async (path: string, body: object, status = 200) => {
    const response = await call(admin, 'post', path, body);
    expect({ path, status: response.status, body: response.body }).toMatchObject({ status });
    return response;
  };

  /** An application in `state` in `mission`, taken there by the administrator. */
  const prepare = async (mission: string, state: State, n: number): Promise<Target> => {
    const base = `/api/v1/missions/${mission}/applications`;
    const application: string = (await ok(base, applicant(n), 201)).body.id;
    const [submitted] = await world.store.readStream(applicationStream(application));
    const person = (submitted.data as { person: { personId: string } }).person.personId;
    const badge = `MX-${n}`;
    const target = { mission, application, person, badge, n, job: '' };
    if (state === 'submitted') return target;
    await ok(`${base}/${application}/screen`, { ruleSetId: RULE_SET });
    if (state === 'screened') return target;
    await ok(`${base}/${application}/approve`, {});
    if (state === 'approved') return target;
    await ok(`${base}/${application}/accreditation-request`, { hostBody: 'CEC' });
    if (state === 'requested') return target;
    await ok(
      `${base}/${application}/grant`,
      state === 'lapsed' ? grantBody(badge, '2023-12-15T00:00:00Z') : grantBody(badge),
    );
    if (state === 'suspended') await ok(`${base}/${application}/suspend`, { reason: 'for the matrix' });
    return target;
  };

  /** Until the read models show the application: erasure finds a person's applications there. */
  const visible = (target: Target) =>
    world.eventually(async () =>
      expect(
        (await call(admin, 'get', `/api/v1/missions/${target.mission}/applications/${target.application}`))
          .status,
      ).toBe(200),
    );

  beforeAll(async () => {
    world = await start();
    admin = await world.asAdmin();
    tokens.set('admin', admin);
    for (const whose of ['own', 'other'] as const) {
      const opened = await call(admin, 'post', '/api/v1/missions', {
        name: `Accreditation matrix, ${whose} mission`,
        organisation: 'OSCE/ODIHR',
        hostCountry: 'KG',
        election: { kind: 'parliamentary', date: '2023-11-30', rounds: 1 },
      });
      expect(opened.status).toBe(201);
      missions.set(whose, opened.body.id);
    }
    const own = missions.get('own')!;
    for (const role of ROLES.filter((r) => r !== 'admin')) {
      const email = `${role}@accreditation-matrix.example`;
      const userId = await world.registerUser(email, `${role}-password-long`);
      tokens.set(role, await world.login(email, `${role}-password-long`));
      if (role !== 'none') await ok(`/api/v1/missions/${own}/staff`, { userId, role }, 201);
    }
    let n = 0;
    for (const mission of missions.values()) {
      await ok(`/api/v1/missions/${mission}/rule-sets`, kyrgyzstan2023LtoCall(mission), 201);
      for (const state of STATES) shared.set(`${mission}:${state}`, await prepare(mission, state, n++));
      // What the reads name: the granted application and its badge.
      await visible(shared.get(`${mission}:granted`)!);
      await visible(shared.get(`${mission}:submitted`)!);
      await world.eventually(async () =>
        expect(
          (
            await call(
              admin,
              'get',
              `/api/v1/missions/${mission}/badges/MX-${shared.get(`${mission}:granted`)!.n}`,
            )
          ).status,
        ).toBe(200),
      );
    }
    // An import job of each mission, for the route that shows one.
    for (const mission of missions.values()) {
      const accepted = await call(
        admin,
        'post',
        `/api/v1/missions/${mission}/applications/import`,
        csvOf(900_000 + n++),
        'text/csv',
      );
      expect(accepted.status).toBe(202);
      for (const [key, target] of shared) if (key.startsWith(`${mission}:`)) target.job = accepted.body.id;
      // Done before the cases count events.
      await world.eventually(async () =>
        expect((await call(admin, 'get', accepted.headers.location)).body.state).toBe('done'),
      );
    }
    // The guard reads roles from a projection: wait until every holder is a member of the own mission.
    for (const role of MISSION_ROLES)
      await world.eventually(async () =>
        expect((await call(tokens.get(role)!, 'get', `/api/v1/missions/${own}`)).status).toBe(200),
      );
  }, 180_000);
  afterAll(() => world?.close(), 60_000);

  it('covers every accreditation route of the OpenAPI document', async () => {
    const paths = (await world.http.get('/api/docs-json')).body.paths as Record<
      string,
      Record<string, { tags?: string[] }>
    >;
    const documented = Object.entries(paths).flatMap(([path, operations]) =>
      Object.entries(operations)
        .filter(([, operation]) => operation.tags?.includes('accreditation'))
        .map(([method]) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(
      ROUTES.map((route) => `${route.method.toUpperCase()} ${route.path(TEMPLATE)}`).sort(),
    );
  });

  it.each(CASES)(
    '$route.name as $role on $whose mission → $status',
    async ({ route, role, whose, status, n }) => {
      const mission = missions.get(whose)!;
      const allowed = status === route.success;
      const needs = route.needs ?? 'granted';
      let target: Target;
      if (needs === 'none') target = { ...shared.get(`${mission}:granted`)!, n: 1_000 + n };
      else if (allowed && route.method === 'post') {
        // A fresh application for every allowed write, so that the write it makes is one that can succeed.
        target = await prepare(mission, needs, 1_000 + n);
        if (route.readsModel) await visible(target);
      } else target = shared.get(`${mission}:${needs}`)!;

      const streamLength = async () =>
        (await world.store.readStream(applicationStream(target.application))).length;
      // The rows themselves, not $all: a reader of $all may not see yet an event that has committed.
      const eventCount = async () =>
        Number((await world.dataSource.query('SELECT count(*) AS n FROM observa_events'))[0].n);
      const before = { events: await eventCount(), application: await streamLength() };
      const response = await call(
        tokens.get(role)!,
        route.method,
        route.path(target),
        route.body?.(target),
        route.contentType,
      );
      expect({ status: response.status, detail: response.body?.detail }).toMatchObject({ status });
      const after = { events: await eventCount(), application: await streamLength() };
      if (!allowed) expect(after).toEqual(before);
      else if (route.inBackground)
        await world.eventually(async () => expect(await eventCount()).toBeGreaterThan(before.events), {
          timeoutMs: 30_000,
        });
      else if (route.method === 'post') expect(after.events).toBeGreaterThan(before.events);
    },
  );
});
