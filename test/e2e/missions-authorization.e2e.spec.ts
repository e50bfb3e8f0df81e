/**
 * Who may call which missions route: every route × every role × own/other mission, against the
 * standalone app and the distributed one (gateway + context hosts). "own": a mission in which the
 * caller holds the role; "other": one in which they hold none. The administrator holds no mission role and may do everything; someone with no role in
 * a mission learns nothing of it (404); a member without a fitting role gets 403.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MISSION_ROLES, type MissionRole } from '#auth';
import { startDistributed } from './distributed.js';
import { bearer, startStandalone, type World } from './harness.js';

type Role = MissionRole | 'admin' | 'none';
type Whose = 'own' | 'other';
const ROLES: readonly Role[] = [...MISSION_ROLES, 'admin', 'none'];

/** Which missions a case acts on. */
type Missions = { own: (role: Role) => string; other: string; closing: (role: Role) => string };

type Route = {
  readonly name: string;
  readonly method: 'get' | 'post' | 'delete';
  /** `anyone` authenticated; `admin` only; else these mission roles (and the admin). */
  readonly access: 'anyone' | 'admin' | readonly MissionRole[];
  readonly success: number;
  readonly path: (mission: string, key: string) => string;
  readonly body?: (key: string) => object;
  /** The mission a case acts on, when not its own or the other one. */
  readonly target?: (missions: Missions, role: Role, whose: Whose) => string;
};

/** Every case gets its own key, so that its write is one that can succeed (a new country, a new grant). */
const letter = (key: string): string => String.fromCharCode(65 + Number(key));

const ROUTES: readonly Route[] = [
  {
    name: 'POST /missions',
    method: 'post',
    access: 'admin',
    success: 201,
    path: () => '/api/v1/missions',
    body: (key) => ({
      name: `Mission ${key}`,
      organisation: 'OSCE/ODIHR',
      hostCountry: 'KG',
      election: { kind: 'presidential', date: '2024-01-14', rounds: 2 },
    }),
  },
  { name: 'GET /missions', method: 'get', access: 'anyone', success: 200, path: () => '/api/v1/missions' },
  {
    name: 'POST /users',
    method: 'post',
    access: 'admin',
    success: 201,
    path: () => '/api/v1/users',
    body: (key) => ({ email: `matrix-user-${key}@mission.example`, password: 'a long enough passphrase' }),
  },
  {
    name: 'GET /missions/:id',
    method: 'get',
    access: MISSION_ROLES,
    success: 200,
    path: (mission) => `/api/v1/missions/${mission}`,
  },
  {
    name: 'POST /missions/:id/delegations',
    method: 'post',
    access: ['secretariat'],
    success: 201,
    path: (mission) => `/api/v1/missions/${mission}/delegations`,
    body: (key) => ({ country: `Y${letter(key)}`, headOfDelegation: 'Head' }),
  },
  {
    name: 'DELETE /missions/:id/delegations/:country',
    method: 'delete',
    access: ['secretariat'],
    success: 200,
    path: (mission, key) => `/api/v1/missions/${mission}/delegations/X${letter(key)}`,
  },
  {
    name: 'POST /missions/:id/staff',
    method: 'post',
    access: ['secretariat'],
    success: 201,
    path: (mission) => `/api/v1/missions/${mission}/staff`,
    body: (key) => ({ userId: `newcomer-${key}`, role: 'analyst' }),
  },
  {
    name: 'DELETE /missions/:id/staff/:userId/roles/:role',
    method: 'delete',
    access: ['secretariat'],
    success: 200,
    path: (mission, key) => `/api/v1/missions/${mission}/staff/leaver-${key}/roles/observer`,
  },
  {
    // Last: closing is for good, and each case that may close gets a mission of its own.
    name: 'POST /missions/:id/close',
    method: 'post',
    access: ['head_of_mission', 'secretariat'],
    success: 200,
    path: (mission) => `/api/v1/missions/${mission}/close`,
    body: () => ({ reason: 'final statement published' }),
    target: (missions, role, whose) => (whose === 'own' ? missions.closing(role) : missions.other),
  },
];

const expected = (route: Route, role: Role, whose: Whose): number => {
  if (route.access === 'anyone') return route.success;
  if (route.access === 'admin') return role === 'admin' ? route.success : 403;
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
).map((c, index) => ({ ...c, key: String(index % 26) }));

describe.each([
  ['standalone', startStandalone],
  ['distributed', startDistributed],
] as const)('missions authorization matrix (%s)', (_mode, start) => {
  let world: World;
  const tokens = new Map<Role, string>();
  let missions: Missions;

  const open = async (admin: string, name: string): Promise<string> => {
    const response = await world.http
      .post('/api/v1/missions')
      .set(bearer(admin))
      .send({
        name,
        organisation: 'OSCE/ODIHR',
        hostCountry: 'KG',
        election: { kind: 'parliamentary', date: '2024-03-10', rounds: 1 },
      });
    expect(response.status).toBe(201);
    return response.body.id;
  };

  beforeAll(async () => {
    world = await start();
    const admin = await world.asAdmin();
    tokens.set('admin', admin);
    const as = (token: string) => ({
      post: (path: string, body: object) => world.http.post(path).set(bearer(token)).send(body),
    });

    const own = await open(admin, 'Own mission');
    const other = await open(admin, 'Other mission');
    const closing = new Map<Role, string>();
    for (const role of ROLES)
      if (role !== 'none') closing.set(role, await open(admin, `Mission ${role} closes`));
    missions = { own: () => own, other, closing: (role) => closing.get(role) ?? own };

    const ids = new Map<Role, string>();
    for (const role of ROLES.filter((r) => r !== 'admin')) {
      const email = `${role}@matrix.example`;
      ids.set(role, await world.registerUser(email, `${role}-password-long`));
      tokens.set(role, await world.login(email, `${role}-password-long`));
    }
    const otherSecretariat = await world.registerUser('secretariat@other.example', 'other-secretariat-pw');
    const grant = async (mission: string, userId: string, role: MissionRole) =>
      expect((await as(admin).post(`/api/v1/missions/${mission}/staff`, { userId, role })).status).toBe(201);
    await grant(other, otherSecretariat, 'secretariat');
    for (const role of MISSION_ROLES) {
      await grant(own, ids.get(role)!, role);
      await grant(closing.get(role)!, ids.get(role)!, role);
    }
    // What the write cases act on: a delegation to remove and a role to withdraw, in both missions.
    for (const mission of [own, other])
      for (let n = 0; n < 26; n++) {
        const key = String(n);
        expect(
          (
            await as(admin).post(`/api/v1/missions/${mission}/delegations`, {
              country: `X${letter(key)}`,
              headOfDelegation: 'Head',
            })
          ).status,
        ).toBe(201);
        await grant(mission, `leaver-${key}`, 'observer');
      }
    // The guard reads roles from a projection: wait until every holder sees both of their missions.
    for (const role of MISSION_ROLES)
      for (const mission of [own, closing.get(role)!])
        await world.eventually(async () =>
          expect(
            (await world.http.get(`/api/v1/missions/${mission}`).set(bearer(tokens.get(role)!))).status,
          ).toBe(200),
        );
  }, 180_000);
  afterAll(() => world?.close(), 60_000);

  it.each(CASES)(
    '$route.name as $role on $whose mission → $status',
    async ({ route, role, whose, status, key }) => {
      const mission = route.target
        ? route.target(missions, role, whose)
        : whose === 'own'
          ? missions.own(role)
          : missions.other;
      let call = world.http[route.method](route.path(mission, key)).set(bearer(tokens.get(role)!));
      if (route.body) call = call.send(route.body(key));
      const response = await call;
      expect({ status: response.status, detail: response.body.detail }).toMatchObject({ status });
    },
  );
});
