/** The guard on a throwaway app over real HTTP, with the platform's edge (problem+json). */
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, Post, Res, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { generateKeyPair, SignJWT } from 'jose';
import request from 'supertest';
import { createHttpApp, loadConfig, MetricsModule } from '#platform';
import { CurrentPrincipal, MissionRoles, PlatformAdmin, Public } from './auth.decorators.js';
import { AuthModule } from './auth.module.js';
import { MISSION_ROLES, type MissionRole, type Principal, type RolesByMission } from './domain/roles.js';
import type { AccountStatus, MissionMembership } from './mission-membership.js';
import { issueAccessToken, type AuthConfig, type TokenSubject } from './token.js';
import { refuseLogin } from './too-many-logins.js';

const own = '0b5c8a52-6a1e-4f0e-9d59-2c1f3e7a9b10';
const other = '7f3d2e1c-9b8a-4c6d-8e5f-1a2b3c4d5e6f';
/** A mission id nobody ever opened. */
const unknown = 'c0ffee00-0000-4000-8000-000000000000';

@Controller('missions/:missionId')
class MissionProbe {
  @Get('applications')
  @MissionRoles('secretariat')
  applications() {
    return { ok: true };
  }

  @Get('visits')
  @MissionRoles('team_lead', 'observer')
  visits(@CurrentPrincipal() principal: Principal) {
    return { userId: principal.userId };
  }
}

@Controller()
class PlatformProbe {
  @Post('missions')
  @PlatformAdmin()
  open() {
    return { opened: true };
  }

  @Get('me')
  me(@CurrentPrincipal() principal: Principal) {
    return {
      ...principal,
      missionRoles: Object.fromEntries([...principal.missionRoles].map(([m, r]) => [m, [...r]])),
    };
  }

  @Get('statements')
  @Public()
  statements(@CurrentPrincipal() principal: Principal | undefined) {
    return { anonymous: principal === undefined };
  }

  @Post('auth/token')
  @Public()
  login(@Res({ passthrough: true }) response: ServerResponse) {
    throw refuseLogin(response, 42);
  }
}

/** Stands in for the projection of StaffRoleGranted/Withdrawn (our own port, not an external boundary). */
class StaffRoles implements MissionMembership {
  constructor(private readonly roles: Record<string, Record<string, MissionRole[]>>) {}
  async exists(missionId: string): Promise<boolean> {
    return missionId === own || missionId === other;
  }
  async rolesOf(userId: string): Promise<RolesByMission> {
    return new Map(Object.entries(this.roles[userId] ?? {}).map(([m, roles]) => [m, new Set(roles)]));
  }
}

/** Stands in for the projection of accounts (our own port). */
const accounts: AccountStatus = { isDisabled: async (userId) => userId === 'disabled' };

const config: AuthConfig = {
  tokens: {
    secret: new TextEncoder().encode('a secret of at least thirty-two bytes, for tests'),
    issuer: 'observa',
    audience: 'observa-api',
    ttlSeconds: 900,
  },
};
const PROBLEM = /^application\/problem\+json/;

const people: Record<string, TokenSubject> = {
  admin: { userId: 'admin', email: 'admin@example.org', platformRole: 'admin' },
  lead: { userId: 'lead', email: 'lead@example.org' },
  stranger: { userId: 'stranger', email: 'stranger@example.org' },
  disabled: { userId: 'disabled', email: 'disabled@example.org' },
  ...Object.fromEntries(MISSION_ROLES.map((role) => [role, { userId: role, email: `${role}@example.org` }])),
};
const membership = new StaffRoles({
  lead: { [own]: ['team_lead', 'observer'] },
  ...Object.fromEntries(MISSION_ROLES.map((role) => [role, { [own]: [role] }])),
});

describe('the auth guard', () => {
  let app: INestApplication;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [AuthModule.forRoot({ config, membership, accounts }), MetricsModule],
      controllers: [MissionProbe, PlatformProbe],
    }).compile();
    app = await createHttpApp(moduleRef, loadConfig({ LOG_LEVEL: 'silent' }));
    await app.init();
    for (const [name, subject] of Object.entries(people))
      tokens[name] = (
        await issueAccessToken(subject, config.tokens, new Date(), `token-${name}`)
      ).accessToken;
  });
  afterAll(() => app?.close());

  const get = (path: string, who?: string) => {
    const call = request(app.getHttpServer()).get(`/api/v1${path}`);
    return who ? call.set('Authorization', `Bearer ${tokens[who]}`) : call;
  };

  describe('without a valid token', () => {
    it('answers 401 with a Bearer challenge', async () => {
      const response = await get('/me');
      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer realm="observa"');
      expect(response.headers['content-type']).toMatch(PROBLEM);
      expect(JSON.parse(response.text)).toMatchObject({ status: 401, instance: '/api/v1/me' });
    });

    it('answers 401 invalid_token to an expired token', async () => {
      const { accessToken } = await issueAccessToken(
        people.admin,
        config.tokens,
        new Date(Date.now() - 3_600_000),
        'old',
      );
      const response = await get('/me').set('Authorization', `Bearer ${accessToken}`);
      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toBe(
        'Bearer realm="observa", error="invalid_token", error_description="the token has expired"',
      );
    });

    it('answers 401 invalid_token to a forged token', async () => {
      const forger = { ...config.tokens, secret: new TextEncoder().encode('x'.repeat(32)) };
      const { accessToken } = await issueAccessToken(people.admin, forger, new Date(), 'forged');
      const response = await get('/me').set('Authorization', `Bearer ${accessToken}`);
      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toMatch(/error="invalid_token"/);
    });

    it.each(['Basic YWRtaW46YWRtaW4=', 'Bearer', `Bearer ${'a'.repeat(20)}`, 'token-only'])(
      'answers 401 to the Authorization header %j',
      async (header) => {
        const response = await get(`/missions/${own}/applications`).set('Authorization', header);
        expect(response.status).toBe(401);
        expect(response.headers['www-authenticate']).toMatch(/^Bearer realm="observa"/);
      },
    );

    it('is refused before its body is even looked at', async () => {
      const response = await request(app.getHttpServer()).post('/api/v1/missions').send({ unknown: true });
      expect(response.status).toBe(401);
    });
  });

  describe('mission roles', () => {
    it.each(MISSION_ROLES)('lets the %s through where its role is allowed, and only there', async (role) => {
      expect((await get(`/missions/${own}/applications`, role)).status).toBe(
        role === 'secretariat' ? 200 : 403,
      );
      const visits = ['team_lead', 'observer'].includes(role) ? 200 : 403;
      expect((await get(`/missions/${own}/visits`, role)).status).toBe(visits);
    });

    it.each(MISSION_ROLES)('hides another mission from the %s: 404, not 403', async (role) => {
      for (const path of ['applications', 'visits']) {
        const response = await get(`/missions/${other}/${path}`, role);
        expect(response.status).toBe(404);
        expect(response.headers['content-type']).toMatch(PROBLEM);
        expect(JSON.parse(response.text)).toMatchObject({ type: 'urn:observa:problem:not-found' });
      }
    });

    it('hides every mission from a user who has no role anywhere', async () => {
      expect((await get(`/missions/${own}/visits`, 'stranger')).status).toBe(404);
    });

    it('answers a member with the wrong role with a 403 problem', async () => {
      const response = await get(`/missions/${own}/applications`, 'observer');
      expect(response.headers['content-type']).toMatch(PROBLEM);
      expect(JSON.parse(response.text)).toMatchObject({ type: 'urn:observa:problem:forbidden', status: 403 });
    });

    it('lets the platform administrator into every mission', async () => {
      for (const mission of [own, other])
        for (const path of ['applications', 'visits'])
          expect((await get(`/missions/${mission}/${path}`, 'admin')).status).toBe(200);
    });

    it('answers 404 to the platform administrator for a mission nobody opened', async () => {
      for (const path of ['applications', 'visits']) {
        const response = await get(`/missions/${unknown}/${path}`, 'admin');
        expect(response.status).toBe(404);
        expect(JSON.parse(response.text)).toMatchObject({ detail: `there is no mission ${unknown}` });
      }
    });

    it.each([
      ['not a UUID', 'kg-2023'],
      ['10 000 characters', 'x'.repeat(10_000)],
      ['upper case', own.toUpperCase()],
      ['a UUID with a tail', `${own}0`],
      ['a UUID with a head', `0${own}`],
    ])('answers 400 to everyone for a mission id that is %s, without echoing it', async (_, id) => {
      for (const who of ['admin', 'secretariat', 'stranger']) {
        const response = await get(`/missions/${encodeURIComponent(id)}/applications`, who);
        expect(response.status).toBe(400);
        expect(JSON.parse(response.text)).toMatchObject({
          errors: [{ field: 'missionId', message: 'missionId must be a UUID' }],
        });
      }
    });

    it('hands the route the principal', async () =>
      expect((await get(`/missions/${own}/visits`, 'lead')).body).toEqual({ userId: 'lead' }));
  });

  describe('platform administration', () => {
    it('is the administrator’s alone', async () => {
      const post = (who: string) =>
        request(app.getHttpServer()).post('/api/v1/missions').set('Authorization', `Bearer ${tokens[who]}`);
      expect((await post('admin')).status).toBe(201);
      for (const who of ['secretariat', 'stranger']) expect((await post(who)).status).toBe(403);
    });
  });

  it('refuses the valid token of a disabled account with 401: the account now decides, not the token', async () => {
    const response = await get('/me', 'disabled');
    expect(response.status).toBe(401);
    expect(response.headers['content-type']).toMatch(PROBLEM);
    expect(JSON.parse(response.text).detail).toBe('This account is disabled.');
    expect((await get('/me', 'stranger')).status).toBe(200);
  });

  it('lets any authenticated user reach a route with no role on it, as the principal it is', async () => {
    const response = await get('/me', 'lead');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      userId: 'lead',
      email: 'lead@example.org',
      missionRoles: { [own]: ['team_lead', 'observer'] },
    });
  });

  it('lets anyone reach a public route', async () => {
    expect((await get('/statements')).body).toEqual({ anonymous: true });
  });

  it('leaves the operations endpoints outside the API to the network', async () => {
    expect((await request(app.getHttpServer()).get('/metrics')).status).toBe(200);
  });

  it('refuses a throttled login with 429 and Retry-After', async () => {
    const response = await request(app.getHttpServer()).post('/api/v1/auth/token');
    expect(response.status).toBe(429);
    expect(response.headers['retry-after']).toBe('42');
    expect(response.headers['content-type']).toMatch(PROBLEM);
    expect(JSON.parse(response.text)).toMatchObject({
      status: 429,
      detail: expect.stringContaining('42 seconds'),
    });
  });
});

describe('the auth guard, trusting an external issuer that cannot be reached', () => {
  let app: INestApplication;

  beforeAll(async () => {
    const oidc = {
      jwksUrl: new URL('http://127.0.0.1:9/certs'),
      issuer: 'https://login.example.org',
      audience: 'observa',
    };
    const moduleRef = await Test.createTestingModule({
      imports: [AuthModule.forRoot({ config: { ...config, oidc }, membership, accounts })],
      controllers: [PlatformProbe],
    }).compile();
    app = await createHttpApp(moduleRef, loadConfig({ LOG_LEVEL: 'silent' }));
    await app.init();
  });
  afterAll(() => app?.close());

  it('answers 503, not 401: the token may well be good', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const token = await new SignJWT({ email: 'lead@example.org' })
      .setProtectedHeader({ alg: 'ES256', kid: 'key-1' })
      .setSubject('lead')
      .setExpirationTime('5m')
      .sign(privateKey);
    const response = await request(app.getHttpServer())
      .get('/api/v1/me')
      .set('Authorization', `Bearer ${token}`);
    expect(response.status).toBe(503);
    expect(response.headers['content-type']).toMatch(PROBLEM);
    expect(response.headers['www-authenticate']).toBeUndefined();
  });
});
