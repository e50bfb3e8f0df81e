/** Small numeric helpers shared by every suite: summaries of runs, percentiles, ratios, timed loops. */
import { performance } from 'node:perf_hooks';
import type { CpuBreakdown } from './cpu.js';
import type { Measurement, Ratio } from './types.js';

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Nearest-rank percentile (p in 0..100) of unsorted values. */
export const percentile = (values: readonly number[], p: number): number => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
};

const round = (value: number, digits = 0): number => Number(value.toFixed(digits));

export const summarize = (
  contender: string,
  setting: string,
  unit: string,
  runs: readonly number[],
  details?: Record<string, unknown>,
): Measurement => ({
  contender,
  setting,
  unit,
  runs: runs.map((r) => round(r)),
  median: round(median(runs)),
  min: round(Math.min(...runs)),
  max: round(Math.max(...runs)),
  ...(details ? { details } : {}),
});

export const ratio = (
  measurements: readonly Measurement[],
  numerator: string,
  denominator: string,
  setting: string,
  goal?: number,
): Ratio => {
  const find = (contender: string) => {
    const found = measurements.find((m) => m.contender === contender && m.setting === setting);
    if (!found) throw new Error(`no measurement of ${contender} at ${setting}`);
    return found;
  };
  const value = round(find(numerator).median / find(denominator).median, 3);
  return {
    name: `${numerator}/${denominator}`,
    setting,
    value,
    ...(goal === undefined ? {} : { goal, met: value >= goal }),
  };
};

export type TimedRun = {
  /** Units of work (events) per second over the whole run. */
  readonly rate: number;
  readonly units: number;
  readonly seconds: number;
  /** Per-operation latencies in milliseconds. */
  readonly latencies: number[];
};

/**
 * Runs `writers` loops for `durationMs`: each calls `operation(writer)` back to back and counts the
 * units it reports. The clock stops when the last in-flight operation finishes, so the rate is
 * exact work over exact time.
 */
export const timedLoop = async (
  writers: number,
  durationMs: number,
  operation: (writer: number) => Promise<number>,
): Promise<TimedRun> => {
  const latencies: number[] = [];
  let units = 0;
  const start = performance.now();
  const deadline = start + durationMs;
  await Promise.all(
    Array.from({ length: writers }, async (_, writer) => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        const done = await operation(writer); // not `units += await ...`: that reads units before awaiting
        latencies.push(performance.now() - t0);
        units += done;
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  return { rate: units / seconds, units, seconds, latencies };
};

export const latencySummary = (latencies: readonly number[]) => ({
  p50Ms: round(percentile(latencies, 50), 2),
  p99Ms: round(percentile(latencies, 99), 2),
});

/** The run whose rate is the median (the lower middle one for an even count). */
export const medianOf = (rates: readonly number[]): number =>
  [...rates].sort((a, b) => a - b)[(rates.length - 1) >> 1];

/**
 * The machine is shared: a run during which processes other than this one and Postgres used more
 * than this many cores was disturbed (the baseline, kernel and idle brokers, is ~0.1).
 */
export const DISTURBED_OTHER_CORES = 0.35;

/**
 * Drops disturbed runs when at least 3 clean ones remain; otherwise keeps them all. Returns the
 * rates to summarize and the (0-based) indexes of disturbed runs.
 */
export const cleanRates = (
  rates: readonly number[],
  cpu: readonly (CpuBreakdown | undefined)[],
): { rates: number[]; disturbed: number[] } => {
  const disturbed = rates.map((_, i) => i).filter((i) => (cpu[i]?.other ?? 0) > DISTURBED_OTHER_CORES);
  const clean = rates.filter((_, i) => !disturbed.includes(i));
  return { rates: clean.length >= 3 ? clean : [...rates], disturbed };
};
