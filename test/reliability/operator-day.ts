/**
 * An operator's day (issue 8): a Kafka broker of the suite's own (kafka.sh on RELIABILITY_KAFKA_PORT,
 * 29094, data in data/kafka-29094/, never the shared broker), a database of its own, the distributed
 * platform started by scripts/distributed.sh on free ports, then one trial per fault, in order, on
 * the same platform (each fault lands on what the ones before left), and everything stopped and
 * dropped at the end. The bounded form (the Jest spec) and the long one (run.ts) differ only in plans.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { BreakableBroker } from '../../libs/testing/src/kafka.js';
import { logEvidence, type LogEvidence } from './log-evidence.js';
import { OperatedPlatform } from './operated-platform.js';
import { runTrial, type TrialPlan, type TrialResult } from './trial.js';

export type DayOptions = {
  readonly root: string;
  readonly plans: readonly TrialPlan[];
  /** For the fault moments; printed with the results so a day can be replayed. */
  readonly seed: number;
  readonly log: (line: string) => void;
};

export type DayResult = {
  readonly seed: number;
  readonly startedAt: string;
  readonly setupMs: number;
  readonly trials: readonly TrialResult[];
  /** What the processes logged over the day (gRPC calls, outages). */
  readonly logs: LogEvidence;
  /** Kept when a trial failed (the apps' logs are the evidence) or RELIABILITY_KEEP_LOGS is set. */
  readonly runDir: string;
};

const ADMIN = { email: 'operator@reliability.example', password: 'Reliability-suite-passphrase-1' };

/** mulberry32: a small seeded generator, so the random fault moments of a day can be replayed. */
export const seeded = (seed: number): (() => number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

const databaseUrl = (): string => {
  const url = new URL(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  url.pathname = `/observa_reliability_${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  return url.toString();
};

export const brokerPort = (): number => Number(process.env.RELIABILITY_KAFKA_PORT ?? 29094);

export const runDay = async ({ root, plans, seed, log }: DayOptions): Promise<DayResult> => {
  const startedAt = new Date().toISOString();
  const began = Date.now();
  const broker = new BreakableBroker(brokerPort());
  const runDir = mkdtempSync(join(tmpdir(), 'observa-reliability-'));
  log(`reliability: broker on ${broker.brokers.join(',')}, run folder ${runDir}, seed ${seed}`);
  await broker.start();
  const platform = await OperatedPlatform.on({
    root,
    runDir,
    databaseUrl: databaseUrl(),
    kafkaBrokers: broker.brokers.join(','),
    admin: ADMIN,
  });
  const sql = new pg.Pool({ connectionString: platform.databaseUrl, max: 2 });
  const trials: TrialResult[] = [];
  let clean = false;
  try {
    await platform.start();
    const setupMs = Date.now() - began;
    log(`reliability: platform up at ${platform.baseUrl} after ${(setupMs / 1000).toFixed(1)} s`);
    const random = seeded(seed);
    for (const plan of plans) {
      log(`reliability: ${plan.fault} (${plan.clients} clients, ${plan.loadMs / 1000} s of load)`);
      const result = await runTrial(
        { baseUrl: platform.baseUrl, admin: ADMIN, sql, brokers: broker.brokers, random, log },
        { platform, broker, downMs: plan.downMs },
        plan,
      );
      trials.push(result);
      log(
        `reliability: ${plan.fault}: ${result.acknowledged.applications + result.acknowledged.missions} acknowledged, ` +
          `lost ${result.lost}, doubled ${result.doubled}, ` +
          (result.convergedAfterMs === undefined
            ? 'NOT converged'
            : `converged ${(result.convergedAfterMs / 1000).toFixed(1)} s after the load`) +
          `, 503s for ${result.secondsRefused} s, no answer for ${result.secondsUnanswered} s${result.clientErrors.length ? `, client errors: ${result.clientErrors[0]}` : ''}`,
      );
    }
    clean = trials.every((t) => t.lost === 0 && t.doubled === 0 && t.convergedAfterMs !== undefined);
    const logs = logEvidence(platform.logOf('gateway'), [
      platform.logOf('missions'),
      platform.logOf('accreditation'),
    ]);
    return { seed, startedAt, setupMs, trials, logs, runDir };
  } finally {
    await platform.stop().catch((error: unknown) => log(`reliability: stop failed: ${String(error)}`));
    await sql.end();
    await platform
      .dropDatabase()
      .catch((error: unknown) => log(`reliability: drop failed: ${String(error)}`));
    await broker.stop().catch((error: unknown) => log(`reliability: broker stop failed: ${String(error)}`));
    if (clean && !process.env.RELIABILITY_KEEP_LOGS) rmSync(runDir, { recursive: true, force: true });
    else log(`reliability: logs kept in ${runDir}`);
  }
};
