/**
 * The standalone app as `npm start` builds it, on an in-memory PGlite, over real HTTP on an ephemeral
 * port, with a known administrator and token secret: what every e2e spec of the standalone mode boots.
 *
 *   const world = await startStandalone();
 *   const admin = await world.asAdmin();
 *   await world.http.post('/api/v1/missions').set(bearer(admin)).send({ ... });
 *   await world.close();
 *
 * Read models are eventually consistent: after a write, wait for what you read with `eventually`.
 * Every answer `http` gets is checked against the app's OpenAPI document (contract.ts): an answer the
 * document does not describe fails the request that got it.
 */
import { randomUUID } from 'node:crypto';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { getDataSourceToken } from '@nestjs/typeorm';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { issueAccessToken, LOCAL_AUDIENCE, LOCAL_ISSUER, normalizeEmail, type TokenSubject } from '#auth';
import { EVENT_STORE, type EventStore } from '#event-sourcing';
import { createHttpApp, loadConfig } from '#platform';
import { AppModule } from '../../apps/standalone/src/app.module.js';
import { contractOf, type AnswerCheck, type OpenApiDocument } from './contract.js';

export type Http = ReturnType<typeof request>;

export const ADMIN = { email: 'admin@e2e.observa.test', password: 'correct horse battery staple' } as const;
/** The secret the app signs tokens with, so that specs can make expired and forged ones. */
export const JWT_SECRET = 'e2e-secret-that-is-long-enough-for-hs256!';

export type World = {
  /** How the platform runs: one process, or gateway + context hosts (distributed.ts). */
  readonly mode: 'standalone' | 'distributed';
  /** The HTTP app the requests go to (the gateway when distributed). */
  readonly app: NestExpressApplication;
  readonly http: Http;
  readonly store: EventStore;
  readonly dataSource: DataSource;
  /** An access token for the account, once the account has reached the users read model. */
  login(email: string, password: string): Promise<string>;
  /** The administrator's access token (cached). */
  asAdmin(): Promise<string>;
  /** Registers an account as the administrator; resolves with its user id once it can log in. */
  registerUser(email: string, password: string): Promise<string>;
  /** Distributed only: every message value published so far to the contexts' Kafka topics. */
  readonly kafkaPayloads?: () => Promise<string[]>;
  /** `eventually` with this mode's patience (read models fed through Kafka take longer). */
  eventually<T>(check: () => T | Promise<T>, options?: EventuallyOptions): Promise<T>;
  close(): Promise<void>;
};

export type EventuallyOptions = { readonly timeoutMs?: number; readonly intervalMs?: number };

/**
 * Runs `check` until it neither throws nor rejects, and resolves with its result; after `timeoutMs`
 * rejects with the last error. For read models, which catch up with a write a moment after it.
 */
export const eventually = async <T>(
  check: () => T | Promise<T>,
  { timeoutMs = 10_000, intervalMs = 20 }: EventuallyOptions = {},
): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
};

/** `Authorization: Bearer <token>` for supertest's `.set(...)`. */
export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

/** A token signed as the app signs them (or with `secret`, as a forger would), issued at `at`. */
export const signToken = async (
  subject: TokenSubject,
  {
    at = new Date(),
    ttlSeconds = 900,
    secret = JWT_SECRET,
  }: { at?: Date; ttlSeconds?: number; secret?: string } = {},
): Promise<string> =>
  (
    await issueAccessToken(
      subject,
      {
        secret: new TextEncoder().encode(secret),
        issuer: LOCAL_ISSUER,
        audience: LOCAL_AUDIENCE,
        ttlSeconds,
      },
      at,
      randomUUID(),
    )
  ).accessToken;

export const ENV = {
  OBSERVA_ADMIN_EMAIL: ADMIN.email,
  OBSERVA_ADMIN_PASSWORD: ADMIN.password,
  OBSERVA_JWT_SECRET: JWT_SECRET,
};

export type StandaloneOptions = {
  /** Adds to (and overrides) the configuration's variables (identity's, say). */
  readonly env?: Record<string, string>;
  /** A folder for the embedded store, to restart on the same data; default memory://. */
  readonly dataDir?: string;
};

/** Boots the app on a fresh in-memory store (or `dataDir`), listening on an ephemeral port. */
export const startStandalone = async ({
  env = {},
  dataDir = 'memory://',
}: StandaloneOptions = {}): Promise<World> => {
  // The tests speak for many clients from one address with X-Forwarded-For, as a proxy on loopback would.
  const config = loadConfig({
    ...ENV,
    ...env,
    OBSERVA_DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    OBSERVA_TRUST_PROXY: 'loopback',
  });
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config)] }).compile();
  const app: NestExpressApplication = await createHttpApp(moduleRef, config);
  await app.listen(0, '127.0.0.1');
  return worldOn(app, { mode: 'standalone', close: () => app.close() });
};

const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'del', 'head', 'options'] as const;

/**
 * `request(server)`, each of whose answers is checked against the server's own OpenAPI document
 * (fetched once, at the first answer) before the caller sees it.
 */
export const checkedHttp = (server: Parameters<typeof request>[0]): Http => {
  const raw = request(server);
  let contract: Promise<AnswerCheck> | undefined;
  const contractNow = () =>
    (contract ??= raw.get('/api/docs-json').then((answer) => {
      if (answer.status !== 200) throw new Error(`/api/docs-json answered ${answer.status}`);
      return contractOf(answer.body as OpenApiDocument);
    }));
  const checked = (method: string, test: request.Test): request.Test => {
    const end = test.end.bind(test);
    test.end = (callback?: request.CallbackHandler) =>
      end((error: unknown, response: request.Response) => {
        if (!response || error) return callback?.(error, response);
        contractNow()
          .then((check) => check(method, test.url, response))
          .then(
            () => callback?.(error, response),
            (mismatch: unknown) => callback?.(mismatch, response),
          );
      });
    return test;
  };
  return new Proxy(raw, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof property !== 'string' || !(METHODS as readonly string[]).includes(property)) return value;
      return (url: string) =>
        checked(
          property === 'del' ? 'delete' : property,
          (value as (url: string) => request.Test).call(target, url),
        );
    },
  });
};

/**
 * The World of an HTTP app that hosts identity (login, users) and has the store and the read models
 * at hand: the standalone app, or the gateway of the distributed mode on the contexts' database.
 */
export const worldOn = (
  app: NestExpressApplication,
  {
    mode,
    close,
    patience = {},
    kafkaPayloads,
  }: {
    mode: World['mode'];
    close: () => Promise<void>;
    patience?: EventuallyOptions;
    kafkaPayloads?: () => Promise<string[]>;
  },
): World => {
  const wait = <T>(check: () => T | Promise<T>, options: EventuallyOptions = {}) =>
    eventually(check, { ...patience, ...options });
  const http = checkedHttp(app.getHttpServer());
  const dataSource = app.get<DataSource>(getDataSourceToken());

  const login = async (email: string, password: string): Promise<string> => {
    // Wait for the account first: a login the read model cannot find yet would count as a failure.
    await wait(async () => {
      const rows: unknown[] = await dataSource.query('SELECT 1 FROM auth_users WHERE email = $1', [
        normalizeEmail(email),
      ]);
      if (rows.length === 0) throw new Error(`no account ${email} yet`);
    });
    const response = await http.post('/api/v1/auth/token').send({ email, password });
    if (response.status !== 200)
      throw new Error(`login of ${email} answered ${response.status}: ${response.text}`);
    return (response.body as { accessToken: string }).accessToken;
  };

  let adminToken: Promise<string> | undefined;
  const asAdmin = () => (adminToken ??= login(ADMIN.email, ADMIN.password));

  return {
    mode,
    app,
    http,
    store: app.get<EventStore>(EVENT_STORE),
    dataSource,
    login,
    asAdmin,
    async registerUser(email, password) {
      const response = await http
        .post('/api/v1/users')
        .set(bearer(await asAdmin()))
        .send({ email, password });
      if (response.status !== 201)
        throw new Error(`registering ${email} answered ${response.status}: ${response.text}`);
      const userId = (response.body as { id: string }).id;
      await wait(async () => {
        const rows: unknown[] = await dataSource.query('SELECT 1 FROM auth_users WHERE user_id = $1', [
          userId,
        ]);
        if (rows.length === 0) throw new Error(`no account ${userId} yet`);
      });
      return userId;
    },
    eventually: wait,
    ...(kafkaPayloads && { kafkaPayloads }),
    close,
  };
};
