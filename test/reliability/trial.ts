/**
 * One fault under load: a mission of the trial's own, clients writing to it, the fault injected at a
 * random moment of the load, the load stopped (every write in flight answered first), then the ledger
 * counted against every view until they agree. A row of the reliability table.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { messageOf } from '#event-sourcing';
import { awaitConvergence, viewsOf, type ViewCount } from './convergence.js';
import { FAULTS, type FaultName, type FaultScene } from './faults.js';
import { Ledger } from './ledger.js';
import { missionBody, startLoad } from './load.js';

export type TrialPlan = {
  readonly fault: FaultName;
  readonly loadMs: number;
  readonly downMs: number;
  readonly clients: number;
  /** After the load, how long the views may take to agree with the ledger. */
  readonly convergeWithinMs: number;
};

export type TrialResult = {
  readonly fault: FaultName;
  readonly description: string;
  readonly loadMs: number;
  readonly downMs: number;
  readonly clients: number;
  /** When the fault began, from the start of the load. */
  readonly faultAtMs: number;
  readonly acknowledged: {
    readonly applications: number;
    readonly missions: number;
    readonly events: number;
  };
  readonly requests: number;
  readonly replayed: number;
  readonly failures: Record<string, number>;
  /** How long requests were answered 503 (first to last refusal of each outage). */
  readonly secondsRefused: number;
  /** How long requests got no answer (the gateway down), counted the same way. */
  readonly secondsUnanswered: number;
  readonly tokensRefused: number;
  readonly contradictions: number;
  readonly views: readonly ViewCount[];
  /** Over every view: acknowledged writes missing, rows no acknowledged write accounts for. */
  readonly lost: number;
  readonly doubled: number;
  /** From the end of the load until the read models agreed with the ledger. */
  readonly readModelsAfterMs?: number;
  /** … and Kafka too; absent: the views never agreed within convergeWithinMs. */
  readonly convergedAfterMs?: number;
  readonly clientErrors: readonly string[];
};

export type Session = {
  readonly baseUrl: string;
  readonly admin: { readonly email: string; readonly password: string };
  readonly sql: pg.Pool;
  readonly brokers: readonly string[];
  readonly random: () => number;
  readonly log: (line: string) => void;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Retries `attempt` until it gives a value, for set-up steps that may meet a platform still coming up. */
const patiently = async <T>(
  what: string,
  attempt: () => Promise<T | undefined>,
  timeoutMs = 120_000,
): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await attempt();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms (${String(last)})`);
    await sleep(250);
  }
};

/** A token, logged in again whenever asked after a failure. */
const tokens = (session: Session) => {
  let token: string | undefined;
  return {
    async get(): Promise<string> {
      token ??= await patiently('a login', async () => {
        const response = await fetch(`${session.baseUrl}/api/v1/auth/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(session.admin),
        });
        return response.ok ? ((await response.json()) as { accessToken: string }).accessToken : undefined;
      });
      return token;
    },
    forget() {
      token = undefined;
    },
  };
};

export const runTrial = async (
  session: Session,
  scene: FaultScene,
  plan: TrialPlan,
): Promise<TrialResult> => {
  const fault = FAULTS[plan.fault];
  const tag = randomUUID().replace(/-/g, '').slice(0, 10).toUpperCase();
  const token = tokens(session);
  const key = randomUUID();
  const missionId = await patiently('the trial’s mission', async () => {
    const response = await fetch(`${session.baseUrl}/api/v1/missions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${await token.get()}`,
        'idempotency-key': key,
      },
      body: JSON.stringify(missionBody(`Reliability ${tag} (the trial's mission)`)),
    });
    if (response.status === 401) token.forget();
    return response.ok ? ((await response.json()) as { id: string }).id : undefined;
  });
  // The gateway admits writes to a mission once its view of the mission has it.
  await patiently('the trial’s mission to be visible', async () => {
    const response = await fetch(`${session.baseUrl}/api/v1/missions/${missionId}/applications?limit=1`, {
      headers: { authorization: `Bearer ${await token.get()}` },
    });
    return response.ok ? true : undefined;
  });

  const ledger = new Ledger();
  const load = startLoad({
    baseUrl: session.baseUrl,
    admin: session.admin,
    missionId,
    tag,
    clients: plan.clients,
    ledger,
  });
  const started = Date.now();
  const faultAtMs = Math.round(plan.loadMs * (0.2 + 0.4 * session.random()));
  await sleep(faultAtMs);
  session.log(`  ${plan.fault}: injecting at ${(faultAtMs / 1000).toFixed(1)} s of load`);
  await fault.inject(scene);
  await sleep(Math.max(2000, plan.loadMs - (Date.now() - started)));
  const clientErrors: string[] = [];
  try {
    await load.stop();
  } catch (error) {
    clientErrors.push(...((error as AggregateError).errors ?? [error]).map((e: unknown) => messageOf(e)));
  }
  const loadMs = Date.now() - started;
  session.log(
    `  ${plan.fault}: load ended after ${(loadMs / 1000).toFixed(1)} s, ${ledger.acknowledged().length} writes acknowledged; counting`,
  );

  const convergence = await awaitConvergence(
    ledger,
    viewsOf({
      baseUrl: session.baseUrl,
      token: async () => token.get(),
      sql: session.sql,
      missionId,
      missionPrefix: `Reliability ${tag} mission `,
    }),
    { brokers: session.brokers, topics: ['observa.accreditation.events.v1', 'observa.missions.events.v1'] },
    plan.convergeWithinMs,
  );
  const sum = (field: 'lost' | 'doubled') => convergence.views.reduce((n, view) => n + view[field], 0);
  return {
    fault: plan.fault,
    description: fault.name,
    loadMs,
    downMs: plan.downMs,
    clients: plan.clients,
    faultAtMs,
    acknowledged: {
      applications: ledger.acknowledged('application').length,
      missions: ledger.acknowledged('mission').length,
      events: ledger.eventIds().length,
    },
    requests: ledger.requests,
    replayed: ledger.replayed,
    failures: Object.fromEntries([...ledger.failures].map(([status, n]) => [String(status), n])),
    secondsRefused: ledger.secondsRefused,
    secondsUnanswered: ledger.secondsUnanswered,
    tokensRefused: ledger.tokensRefused,
    contradictions: ledger.contradictions.length,
    views: convergence.views,
    lost: sum('lost'),
    doubled: sum('doubled') + ledger.contradictions.length,
    ...(convergence.readModelsAfterMs !== undefined && { readModelsAfterMs: convergence.readModelsAfterMs }),
    ...(convergence.convergedAfterMs !== undefined && { convergedAfterMs: convergence.convergedAfterMs }),
    clientErrors,
  };
};
