/**
 * Append throughput: single events (one event per append, exact expected version) and 100-event
 * batches. Each contender has its own fresh database and a pool of 16 connections; all are opened
 * up front and their runs interleaved (ours, emmett, raw, then emmett, raw, ours, ...), so a burst
 * of load from anything else on this shared 2-core machine hits every contender alike instead of
 * one of them. Only one contender works at any moment.
 */
import type { NewEvent } from '#event-sourcing';
import { type Appender, type AppendContender, emmett, newEvent, ours, raw } from './contenders.js';
import { averageBreakdown, type CpuBreakdown, cpuBetween, sampleCpu } from './cpu.js';
import { type BenchDatabase, checkpoint, createBenchDatabase, otherActiveSessions } from './db.js';
import {
  cleanRates,
  latencySummary,
  median,
  medianOf,
  ratio,
  summarize,
  timedLoop,
  type TimedRun,
} from './stats.js';
import type { BenchContext, Measurement, Ratio, Scenario, ScenarioResult } from './types.js';

export const POOL_CONNECTIONS = 16;

export type AppendPlan = {
  readonly writers: number;
  readonly batchSize: number;
  /** A writer moves on to a new stream after this many events in one. */
  readonly eventsPerStream: number;
  readonly warmupMs: number;
  readonly runMs: number;
  readonly runs: number;
  /** Shown as the measurement's setting; defaults to "<writers> writers". */
  readonly setting?: string;
};

export const appendTiming = (quick: boolean) =>
  quick ? { warmupMs: 300, runMs: 500, runs: 3 } : { warmupMs: 1000, runMs: 1500, runs: 7 };

/** Each writer owns its streams and knows each one's head, so every append expects the exact version. */
class WriterStreams {
  private stream = 0;
  private head = -1n;

  constructor(
    private readonly prefix: string,
    private readonly eventsPerStream: number,
  ) {}

  next(count: number): { streamId: string; head: bigint } {
    if (this.head + 1n + BigInt(count) > BigInt(this.eventsPerStream)) {
      this.stream += 1;
      this.head = -1n;
    }
    const at = { streamId: `${this.prefix}-${this.stream}`, head: this.head };
    this.head += BigInt(count);
    return at;
  }
}

let sequence = 0;
const batch = (size: number): NewEvent[] => Array.from({ length: size }, () => newEvent(sequence++));

/** Median over runs of the CPU time this process and Postgres spent per event (µs): less noisy than rates. */
const cpuPerEvent = (runs: readonly TimedRun[], cpu: readonly (CpuBreakdown | undefined)[]) => {
  const per = (key: 'node' | 'postgres') =>
    Math.round(
      median(runs.flatMap((run, i) => (cpu[i] ? [(cpu[i]![key] * run.seconds * 1e6) / run.units] : []))),
    );
  return { node: per('node'), postgres: per('postgres') };
};

type Entrant = {
  readonly contender: AppendContender;
  readonly db: BenchDatabase;
  readonly appender: Appender;
  readonly writers: WriterStreams[];
  readonly runs: TimedRun[];
  readonly cpu: ReturnType<typeof cpuBetween>[];
  written: number;
};

/** Measures every contender at one plan; returns one Measurement per contender, in the given order. */
export const measureAppends = async (
  contenders: readonly AppendContender[],
  plan: AppendPlan,
  label: string,
  context: BenchContext,
): Promise<Measurement[]> => {
  const entrants: Entrant[] = [];
  try {
    for (const contender of contenders) {
      const db = await createBenchDatabase(`${label}_${contender.name}`);
      const appender = await contender.open(db.url, POOL_CONNECTIONS).catch(async (error) => {
        await db.drop();
        throw error;
      });
      // Stream ids look like Observa's (`category-id`); the prefix keeps writers apart.
      const writers = Array.from(
        { length: plan.writers },
        (_, w) => new WriterStreams(`observation-${label}w${w}`, plan.eventsPerStream),
      );
      entrants.push({ contender, db, appender, writers, runs: [], cpu: [], written: 0 });
    }
    const others = await otherActiveSessions();

    const runOnce = async (entrant: Entrant, ms: number): Promise<TimedRun> => {
      const operation = async (w: number): Promise<number> => {
        const events = batch(plan.batchSize);
        const { streamId, head } = entrant.writers[w].next(events.length);
        await entrant.appender.append(streamId, events, head);
        return events.length;
      };
      entrant.appender.activate?.();
      try {
        const run = await timedLoop(plan.writers, ms, operation);
        entrant.written += run.units;
        return run;
      } finally {
        entrant.appender.deactivate?.();
      }
    };

    for (const entrant of entrants) await runOnce(entrant, plan.warmupMs);
    for (let r = 0; r < plan.runs; r++)
      for (let i = 0; i < entrants.length; i++) {
        const entrant = entrants[(i + r) % entrants.length]; // rotate who goes first
        await checkpoint(); // the previous run's dirty pages are flushed outside anyone's clock
        const before = sampleCpu();
        entrant.runs.push(await runOnce(entrant, plan.runMs));
        entrant.cpu.push(cpuBetween(before, sampleCpu()));
      }

    const measurements: Measurement[] = [];
    for (const entrant of entrants) {
      const stored = await entrant.appender.count();
      if (stored !== entrant.written)
        throw new Error(`${entrant.contender.name} counted ${entrant.written} events but stored ${stored}`);
      const { rates, disturbed } = cleanRates(
        entrant.runs.map((r) => r.rate),
        entrant.cpu,
      );
      const middle =
        entrant.runs[entrant.runs.map((r) => r.rate).indexOf(medianOf(rates))] ?? entrant.runs[0];
      const cpu = averageBreakdown(entrant.cpu);
      const perEvent = cpu ? cpuPerEvent(entrant.runs, entrant.cpu) : undefined;
      const m = summarize(
        entrant.contender.name,
        plan.setting ?? `${plan.writers} writers`,
        'events/s',
        rates,
        {
          allRuns: entrant.runs.map((r) => Math.round(r.rate)),
          disturbedRuns: disturbed,
          eventsPerRun: entrant.runs.map((r) => r.units),
          appendLatencyOfMedianRun: latencySummary(middle.latencies),
          ...(cpu ? { cpuCoresUsed: cpu, cpuMicrosecondsPerEvent: perEvent } : {}),
          otherActiveSessionsBefore: others,
        },
      );
      context.log(
        `  ${m.contender.padEnd(7)} ${String(plan.writers).padStart(2)} writers: ${m.median} events/s ` +
          `(min ${m.min}, max ${m.max}; p50 ${latencySummary(middle.latencies).p50Ms} ms` +
          (cpu
            ? `; cores node ${cpu.node} pg ${cpu.postgres} other ${cpu.other} idle ${cpu.idle}` +
              `; cpu µs/event node ${perEvent!.node} pg ${perEvent!.postgres}`
            : '') +
          (disturbed.length ? `; disturbed runs ${disturbed.join(',')})` : ')'),
      );
      measurements.push(m);
    }
    return measurements;
  } finally {
    for (const entrant of entrants) {
      await entrant.appender.close().catch(() => undefined);
      await entrant.db.drop().catch(() => undefined);
    }
  }
};

export const singleAppends: Scenario = {
  name: 'append-single',
  description:
    'One event per append with the exact expected version; each writer appends to its own streams ' +
    '(10 events per stream, then a new stream); pool of 16 connections per contender.',
  async run(context): Promise<ScenarioResult> {
    const measurements: Measurement[] = [];
    for (const writers of [1, 16])
      measurements.push(
        ...(await measureAppends(
          [ours, emmett, raw],
          { writers, batchSize: 1, eventsPerStream: 10, ...appendTiming(context.quick) },
          `single${writers}`,
          context,
        )),
      );
    const ratios: Ratio[] = [
      ratio(measurements, 'ours', 'emmett', '1 writers'),
      ratio(measurements, 'ours', 'raw', '1 writers'),
      ratio(measurements, 'ours', 'emmett', '16 writers', 2),
      ratio(measurements, 'ours', 'raw', '16 writers', 0.7),
    ];
    return {
      name: this.name,
      description: this.description,
      goal: 'at 16 writers: ours >= 2x Emmett and >= 70% of raw',
      met: ratios.every((r) => r.met !== false),
      measurements,
      ratios,
    };
  },
};

export const batchAppends: Scenario = {
  name: 'append-batch',
  description:
    '100 events per append, one stream per append (a new stream every 5 batches), exact expected ' +
    'version; raw is one multi-row INSERT of the same 100 rows. Emmett is shown for context (no goal).',
  async run(context): Promise<ScenarioResult> {
    const measurements: Measurement[] = [];
    for (const writers of [1, 4])
      measurements.push(
        ...(await measureAppends(
          [ours, emmett, raw],
          { writers, batchSize: 100, eventsPerStream: 500, ...appendTiming(context.quick) },
          `batch${writers}`,
          context,
        )),
      );
    const ratios: Ratio[] = [
      ratio(measurements, 'ours', 'raw', '1 writers', 0.6),
      ratio(measurements, 'ours', 'raw', '4 writers', 0.6),
      ratio(measurements, 'ours', 'emmett', '1 writers'),
      ratio(measurements, 'ours', 'emmett', '4 writers'),
    ];
    return {
      name: this.name,
      description: this.description,
      goal: 'ours >= 60% of raw (at 1 and at 4 writers)',
      met: ratios.every((r) => r.met !== false),
      measurements,
      ratios,
    };
  },
};
