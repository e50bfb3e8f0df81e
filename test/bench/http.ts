/**
 * The http suite: observer applications submitted through the HTTP API of the standalone app, next to
 * a no-op route on the same HTTP stack, in the same run.
 *
 * http/submit-applications (embedded PGlite in a temp dir) and http/submit-applications-postgres (the
 * Postgres server, DATABASE_URL on a fresh database): the standalone AppModule, plus the bench-only
 * BenchNoopModule (http-noop.ts), booted in this process by createHttpApp exactly as main.ts does and
 * listening on an ephemeral port; request logs at info go to /dev/null (production logs each request).
 * Set-up over HTTP: the administrator logs in, opens a mission, registers a user and grants it the
 * secretariat role; once the role is visible (its token reads the mission's applications), the
 * secretariat's token — obtained once, so scrypt is not in the loop — drives the load:
 *   submit — POST /api/v1/missions/:missionId/applications, each with an identity document number of
 *            its own, so each creates a new application stream (201);
 *   noop   — POST /api/v1/bench/missions/:missionId/noop: same middleware, body parser, guard (token,
 *            mission roles), validation of the same DTO, a 201 with a WriteReply-shaped body; nothing else.
 * with 1 and 8 concurrent keep-alive clients in a worker thread (http-load.ts), runs interleaved
 * (contender order rotated each round). After each submit run the clock is stopped and the
 * applications read model is let catch up before the next run starts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { Module, type DynamicModule } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { getDataSourceToken } from '@nestjs/typeorm';
import { pino } from 'pino';
import type { DataSource } from 'typeorm';
import { normalizeEmail } from '#auth';
import { createHttpApp, createLogger, loadConfig, localUrl, PinoLoggerService } from '#platform';
import { AppModule } from '../../apps/standalone/src/app.module.js';
import { anna } from '../e2e/fixtures.js';
import { type CpuBreakdown, averageBreakdown, cpuBetween, sampleCpu } from './cpu.js';
import { checkpoint, serverDescription, withBenchDatabase } from './db.js';
import { DOCUMENT_PLACEHOLDER, type LoadResult, type LoadRun, type LoadSetup } from './http-load.js';
import { BenchNoopModule } from './http-noop.js';
import { processCpuSeconds } from './kafka.js';
import { DISTURBED_OTHER_CORES, latencySummary, median, percentile, ratio, summarize } from './stats.js';
import type { BenchContext, BenchSuite, Measurement, Scenario, ScenarioResult } from './types.js';

export const ADMIN = {
  email: 'admin@bench.observa.test',
  password: 'bench administrator password 1',
} as const;
const SECRETARIAT = { email: 'secretariat@bench.observa.test', password: 'bench secretariat password 1' };
export const JWT_SECRET = 'bench-secret-that-is-long-enough-for-hs256!!';
const CLIENTS = [1, 8] as const;

type Store = 'pglite' | 'postgres';

/** The e2e specs' Anna, eligible under the Kyrgyz call, with a document number the clients fill in. */
const applicationTemplate = (): string =>
  JSON.stringify({
    ...anna,
    person: {
      ...anna.person,
      identityDocument: { ...anna.person.identityDocument, number: DOCUMENT_PLACEHOLDER },
    },
  });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Retries `check` until it resolves (or `timeoutMs` passes): read models catch up a moment after a write. */
const eventually = async <T>(check: () => Promise<T>, timeoutMs = 15_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(20);
    }
  }
};

export type Booted = {
  readonly app: NestExpressApplication;
  readonly baseUrl: string;
  readonly dataSource: DataSource;
  close(): Promise<void>;
};

@Module({})
class HttpBenchRoot {}

/** The standalone app plus the no-op route, as main.ts builds it, on an ephemeral port. */
const boot = async (store: Store, databaseUrl?: string): Promise<Booted> => {
  const dataDir = await mkdtemp(join(tmpdir(), 'observa-bench-http-'));
  const config = loadConfig({
    OBSERVA_DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
    ...(store === 'postgres' && databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    OBSERVA_KEK_FILE: `${dataDir}.kek`,
    OBSERVA_ADMIN_EMAIL: ADMIN.email,
    OBSERVA_ADMIN_PASSWORD: ADMIN.password,
    OBSERVA_JWT_SECRET: JWT_SECRET,
  });
  const destination = pino.destination({ dest: '/dev/null', sync: false });
  let app: NestExpressApplication;
  try {
    const root: DynamicModule = {
      module: HttpBenchRoot,
      imports: [AppModule.forRoot(config), BenchNoopModule],
    };
    app = await createHttpApp(root, config, {
      logger: new PinoLoggerService(createLogger({ level: config.logLevel, destination })),
    });
    await app.listen(0, '127.0.0.1');
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    app,
    baseUrl: localUrl(app),
    dataSource: app.get<DataSource>(getDataSourceToken()),
    async close() {
      await app.close();
      destination.end();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
};

type Answer = { status: number; body: Record<string, unknown> };

const call = async (
  baseUrl: string,
  method: 'GET' | 'POST',
  path: string,
  token?: string,
  body?: object,
): Promise<Answer> => {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      ...(body ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
};

const expectStatus = (answer: Answer, status: number, what: string): Answer => {
  if (answer.status !== status)
    throw new Error(`${what} answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 500)}`);
  return answer;
};

/** Logs in once the account is in the users read model (a login it cannot find would count as a failure). */
const login = async (booted: Booted, email: string, password: string): Promise<string> => {
  await eventually(async () => {
    const rows: unknown[] = await booted.dataSource.query('SELECT 1 FROM auth_users WHERE email = $1', [
      normalizeEmail(email),
    ]);
    if (rows.length === 0) throw new Error(`no account ${email} yet`);
  });
  const answer = await call(booted.baseUrl, 'POST', '/api/v1/auth/token', undefined, { email, password });
  return expectStatus(answer, 200, `login of ${email}`).body.accessToken as string;
};

/** Admin logs in, opens a mission, registers and appoints a secretariat; resolves once its role works. */
const setUp = async (booted: Booted): Promise<{ missionId: string; token: string }> => {
  const { baseUrl } = booted;
  const admin = await login(booted, ADMIN.email, ADMIN.password);
  const mission = expectStatus(
    await call(baseUrl, 'POST', '/api/v1/missions', admin, {
      name: 'Benchmark Election Observation Mission',
      organisation: 'CIS Interparliamentary Assembly',
      hostCountry: 'KG',
      election: { kind: 'parliamentary', date: '2023-11-30', rounds: 1 },
    }),
    201,
    'opening the mission',
  ).body.id as string;
  const userId = expectStatus(
    await call(baseUrl, 'POST', '/api/v1/users', admin, SECRETARIAT),
    201,
    'registering the secretariat',
  ).body.id as string;
  expectStatus(
    await call(baseUrl, 'POST', `/api/v1/missions/${mission}/staff`, admin, { userId, role: 'secretariat' }),
    201,
    'granting the secretariat role',
  );
  const token = await login(booted, SECRETARIAT.email, SECRETARIAT.password);
  await eventually(async () =>
    expectStatus(
      await call(baseUrl, 'GET', `/api/v1/missions/${mission}/applications`, token),
      200,
      'the secretariat reading the applications',
    ),
  );
  return { missionId: mission, token };
};

/** The load worker: one per variant, kept across its runs. */
class Load {
  private readonly worker: Worker;
  private nextId = 0;
  private readonly pending = new Map<number, (result: LoadResult | Error) => void>();
  private failed?: Error;

  constructor(setup: LoadSetup) {
    this.worker = new Worker(new URL('./http-load.js', import.meta.url), { workerData: { httpLoad: setup } });
    this.worker.on('message', (result: LoadResult) => {
      this.pending.get(result.id)?.(result);
      this.pending.delete(result.id);
    });
    this.worker.on('error', (error) => {
      this.failed = error;
      for (const settle of this.pending.values()) settle(error);
      this.pending.clear();
    });
  }

  /** The clients' thread's event-loop utilization (since `before`, when given). */
  elu(before?: EventLoopUtilization): EventLoopUtilization {
    return this.worker.performance.eventLoopUtilization(before);
  }

  run(run: Omit<LoadRun, 'id'>): Promise<LoadResult> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, (result) => (result instanceof Error ? reject(result) : resolve(result)));
      this.worker.postMessage({ ...run, id });
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}

type Pass = {
  readonly rate: number;
  readonly requests: number;
  readonly seconds: number;
  readonly p50: number;
  readonly p99: number;
  readonly latencies: number[];
  readonly cpu?: CpuBreakdown;
  /** Event-loop utilization of the app's (main) thread and of the clients' worker thread. */
  readonly appLoop: number;
  readonly clientLoop: number;
  /** Cores used by target.servicePids during the run (part of cpu.other). */
  readonly serviceCores?: number;
  /** Submit only: how long the applications read model took to catch up after the clock stopped. */
  readonly catchUpMs?: number;
};

type Contender = { readonly name: 'submit' | 'noop'; readonly path: string };

const round = (value: number, digits = 2) => Number(value.toFixed(digits));

const variant = (store: Store): Scenario => ({
  name: store === 'pglite' ? 'submit-applications' : 'submit-applications-postgres',
  description:
    `Observer applications submitted through the HTTP API of the standalone app on ` +
    (store === 'pglite' ? 'embedded PGlite (temp dir)' : 'the Postgres server (fresh database)') +
    `, ${CLIENTS.join(' and ')} keep-alive clients, each POST a new application stream (submit), next to ` +
    'a no-op route on the same HTTP stack validating the same DTO (noop); runs interleaved.',
  async run(context: BenchContext): Promise<ScenarioResult> {
    const work = async (databaseUrl?: string) => ({
      name: this.name,
      description: this.description,
      ...(await measureHttp(standaloneTarget(store, databaseUrl), context)),
    });
    return store === 'postgres' ? withBenchDatabase('http', (db) => work(db.url)) : work();
  },
});

/** What measureHttp drives: an app to boot, and how to describe it. */
export type HttpTarget = {
  /** First part of every setting (`<label>, 8 clients`) and of the log lines. */
  readonly label: string;
  /** The database runs inside this process (PGlite): the Postgres server's processes are foreign load. */
  readonly databaseInProcess: boolean;
  /** The app line of the notes. */
  readonly appNote: string;
  /** Further notes. */
  readonly notes?: readonly string[];
  /**
   * Processes on this machine that are part of the system under test besides node and Postgres (the
   * Kafka broker): their CPU is reported as `serviceCores` and not counted as foreign load.
   */
  readonly servicePids?: () => readonly number[];
  boot(): Promise<Booted>;
};

const standaloneTarget = (store: Store, databaseUrl?: string): HttpTarget => ({
  label: store,
  databaseInProcess: store === 'pglite',
  appNote:
    'app: standalone AppModule + the bench no-op module through createHttpApp, request logs at info to ' +
    `/dev/null; ${store === 'pglite' ? 'PGlite runs on the app thread itself' : 'Postgres server on this machine'}`,
  boot: () => boot(store, databaseUrl),
});

/** Set-up, warm-up and the interleaved submit/noop runs at every client count against `target`. */
export const measureHttp = async (
  target: HttpTarget,
  context: BenchContext,
): Promise<Omit<ScenarioResult, 'name' | 'description'>> => {
  const store = target.label;
  const runs = context.quick ? 3 : 7;
  const durationMs = context.quick ? 400 : 1_000;
  const warmUpMs = context.quick ? 300 : 800;
  const bootStart = performance.now();
  const booted = await target.boot();
  let load: Load | undefined;
  try {
    const { missionId, token } = await setUp(booted);
    context.log(
      `  ${store}: booted, mission open and secretariat appointed in ` +
        `${((performance.now() - bootStart) / 1000).toFixed(1)} s (${booted.baseUrl})`,
    );
    load = new Load({ baseUrl: booted.baseUrl, token, bodyTemplate: applicationTemplate() });
    const contenders: Contender[] = [
      { name: 'submit', path: `/api/v1/missions/${missionId}/applications` },
      { name: 'noop', path: `/api/v1/bench/missions/${missionId}/noop` },
    ];
    let submitted = 0;
    const applicationsProjected = async (): Promise<number> =>
      Number(
        (
          (await booted.dataSource.query('SELECT count(*)::int AS n FROM accreditation_applications')) as {
            n: number;
          }[]
        )[0].n,
      );
    let bodyBytes = 0;

    const pass = async (contender: Contender, clients: number, ms: number, tag: string): Promise<Pass> => {
      if (!target.databaseInProcess) await checkpoint();
      const pids = target.servicePids?.() ?? [];
      const serviceBefore = processCpuSeconds(pids);
      const wallBefore = performance.now();
      const before = sampleCpu();
      const appBefore = performance.eventLoopUtilization();
      const clientBefore = load!.elu();
      const result = await load!.run({
        path: contender.path,
        clients,
        durationMs: ms,
        tag,
        expectStatus: 201,
      });
      const appLoop = performance.eventLoopUtilization(appBefore).utilization;
      const clientLoop = load!.elu(clientBefore).utilization;
      const cpu = cpuBetween(before, sampleCpu());
      const serviceCores =
        pids.length > 0
          ? (processCpuSeconds(pids) - serviceBefore) / ((performance.now() - wallBefore) / 1000)
          : undefined;
      if (result.failures > 0)
        throw new Error(
          `${contender.name} at ${clients} clients: ${result.failures} of ${result.failures + result.requests} ` +
            `requests failed, first: ${result.firstFailure}`,
        );
      bodyBytes = result.bodyBytes;
      let catchUpMs: number | undefined;
      if (contender.name === 'submit') {
        submitted += result.requests;
        const caughtUpStart = performance.now();
        await eventually(async () => {
          const n = await applicationsProjected();
          if (n < submitted) throw new Error(`applications read model has ${n} of ${submitted}`);
        }, 60_000);
        catchUpMs = Math.round(performance.now() - caughtUpStart);
      }
      return {
        rate: result.requests / result.seconds,
        requests: result.requests,
        seconds: result.seconds,
        ...latencySummaryOf(result.latencies),
        latencies: result.latencies,
        ...(cpu ? { cpu } : {}),
        ...(serviceCores === undefined ? {} : { serviceCores: round(serviceCores) }),
        appLoop: round(appLoop),
        clientLoop: round(clientLoop),
        ...(catchUpMs === undefined ? {} : { catchUpMs }),
      };
    };

    // Warm-up: JIT, plans, connections, at every setting.
    const warm: string[] = [];
    for (const clients of CLIENTS)
      for (const contender of contenders) {
        const p = await pass(contender, clients, warmUpMs, `w${contender.name}${clients}`);
        warm.push(`${contender.name}@${clients} ${Math.round(p.rate)}/s`);
      }
    context.log(`  ${store}: warm-up ${warm.join(', ')}`);

    const passes = new Map<string, Pass[]>();
    const key = (contender: Contender, clients: number) => `${contender.name}@${clients}`;
    for (let r = 0; r < runs; r++)
      for (const clients of CLIENTS)
        for (let i = 0; i < contenders.length; i++) {
          const contender = contenders[(i + r) % contenders.length]; // rotate who goes first
          const p = await pass(contender, clients, durationMs, `r${r}${contender.name}${clients}`);
          const list = passes.get(key(contender, clients)) ?? [];
          list.push(p);
          passes.set(key(contender, clients), list);
        }

    const settingOf = (clients: number) => `${store}, ${clients} client${clients === 1 ? '' : 's'}`;
    const rates: Measurement[] = [];
    const latencies: Measurement[] = [];
    for (const clients of CLIENTS)
      for (const contender of contenders) {
        const mine = passes.get(key(contender, clients))!;
        // PGlite runs inside this process: there the Postgres server's processes are someone else's load.
        const disturbance = mine.map((p) =>
          p.cpu ? p.cpu.other - (p.serviceCores ?? 0) + (target.databaseInProcess ? p.cpu.postgres : 0) : 0,
        );
        const disturbed = disturbance.map((_, i) => i).filter((i) => disturbance[i] > DISTURBED_OTHER_CORES);
        const kept =
          mine.length - disturbed.length >= 3 ? mine.filter((_, i) => !disturbed.includes(i)) : mine;
        const pooled = kept.flatMap((p) => p.latencies);
        const cpu = averageBreakdown(kept.map((p) => p.cpu));
        const perRequest = (f: (c: CpuBreakdown) => number) =>
          Math.round(
            median(kept.filter((p) => p.cpu).map((p) => (f(p.cpu!) * p.seconds * 1e6) / p.requests)),
          );
        const setting = settingOf(clients);
        const m = summarize(
          contender.name,
          setting,
          'requests/s',
          kept.map((p) => p.rate),
          {
            allRuns: mine.map((p) => Math.round(p.rate)),
            disturbedRuns: disturbed,
            requestsPerRun: mine.map((p) => p.requests),
            secondsPerRun: mine.map((p) => round(p.seconds)),
            latencyMs: {
              pooledOverKeptRuns: latencySummary(pooled),
              p50PerRun: mine.map((p) => p.p50),
              p99PerRun: mine.map((p) => p.p99),
            },
            eventLoopUtilization: {
              app: round(median(kept.map((p) => p.appLoop))),
              clients: round(median(kept.map((p) => p.clientLoop))),
            },
            // Busy time of the app's thread per request (its ceiling is 1e6 / this per second).
            appThreadMicrosecondsPerRequest: Math.round(
              median(kept.map((p) => (p.appLoop * p.seconds * 1e6) / p.requests)),
            ),
            ...(cpu
              ? {
                  cpuCoresUsed: cpu,
                  cpuMicrosecondsPerRequest: {
                    node: perRequest((c) => c.node),
                    postgres: perRequest((c) => c.postgres),
                  },
                }
              : {}),
            ...(target.servicePids
              ? { serviceCoresUsed: round(median(kept.map((p) => p.serviceCores ?? 0))) }
              : {}),
            ...(contender.name === 'submit'
              ? { readModelCatchUpMsAfterRun: mine.map((p) => p.catchUpMs ?? 0) }
              : {}),
          },
        );
        rates.push(m);
        const lat = latencySummary(pooled);
        latencies.push(
          latencyRow(
            contender.name,
            setting,
            'ms p50',
            kept.map((p) => p.p50),
          ),
          latencyRow(
            contender.name,
            setting,
            'ms p99',
            kept.map((p) => p.p99),
          ),
        );
        const eventLoop = m.details!.eventLoopUtilization as { app: number; clients: number };
        context.log(
          `  ${contender.name.padEnd(6)} ${setting}: ${m.median} req/s (min ${m.min}, max ${m.max}); ` +
            `p50 ${lat.p50Ms} ms p99 ${lat.p99Ms} ms; app loop ${eventLoop.app}, client loop ${eventLoop.clients}` +
            (cpu ? `; cores node ${cpu.node} pg ${cpu.postgres} other ${cpu.other} idle ${cpu.idle}` : '') +
            (target.servicePids ? ` (of other, services ${m.details!.serviceCoresUsed})` : '') +
            (disturbed.length ? `; disturbed runs ${disturbed.join(',')}` : ''),
        );
      }
    const ratios = CLIENTS.map((clients) => ratio(rates, 'submit', 'noop', settingOf(clients)));
    const stored = await applicationsProjected();
    if (stored !== submitted)
      throw new Error(`${submitted} applications submitted, ${stored} in the read model`);
    return {
      measurements: [...rates, ...latencies],
      ratios,
      notes: [
        `${runs} interleaved runs of ${durationMs / 1000} s per contender and setting after one warm-up each ` +
          `(rates, and per-run p50/p99, are medians over runs); a run is disturbed when processes other than this ` +
          `one${target.databaseInProcess ? '' : ' and Postgres'} used more than ${DISTURBED_OTHER_CORES} cores`,
        `${submitted} applications submitted (each a new stream, 201) and all of them in the applications read ` +
          `model at the end; the read model was let catch up after every submit run, outside the clock`,
        `request body ${bodyBytes} bytes; clients: node:http keep-alive, one socket each, in a worker thread of ` +
          'this process; one secretariat token for every request (logged in once: no scrypt in the loop)',
        target.appNote,
        'cpuMicrosecondsPerRequest.node counts both threads of this process (app and clients); ' +
          'appThreadMicrosecondsPerRequest is the app thread alone (event-loop busy time / requests)',
        'eventLoopUtilization.app near 1 means the app thread (HTTP, guard, validation, handler' +
          `${target.databaseInProcess ? ', and PGlite' : ''}) is the limit`,
        ...(target.notes ?? []),
      ],
    };
  } finally {
    await load?.close();
    await booted.close();
  }
};

/** Like summarize(), but to 0.01 ms: per-run latency percentiles, their median over the kept runs. */
const latencyRow = (
  contender: string,
  setting: string,
  unit: string,
  values: readonly number[],
): Measurement => ({
  contender,
  setting,
  unit,
  runs: values.map((v) => round(v)),
  median: round(median(values)),
  min: round(Math.min(...values)),
  max: round(Math.max(...values)),
});

const latencySummaryOf = (latencies: readonly number[]) => ({
  p50: round(percentile(latencies, 50)),
  p99: round(percentile(latencies, 99)),
});

export const httpSubmitPglite = variant('pglite');
export const httpSubmitPostgres = variant('postgres');

export const httpSuite: BenchSuite = {
  name: 'http',
  output: 'http.json',
  scenarios: [httpSubmitPglite, httpSubmitPostgres],
  environment: async () => ({
    postgres: await serverDescription().catch((error: Error) => ({ unreachable: error.message })),
  }),
};
