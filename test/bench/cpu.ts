/**
 * Where the machine's CPU went during a run, in cores (2.0 = both cores of this machine busy): this
 * process, the Postgres server's processes, everything else, idle. Linux only (/proc); elsewhere the
 * sample is empty and the breakdown omitted.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

export type CpuSample = {
  readonly at: number;
  readonly node: number; // seconds of CPU
  readonly machineBusy: number; // ticks
  readonly machineTotal: number; // ticks
  readonly postgres: ReadonlyMap<number, number>; // pid -> ticks
};

export type CpuBreakdown = { node: number; postgres: number; other: number; idle: number };

const readMachine = (): [busy: number, total: number] => {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  const idle = fields[3] + (fields[4] ?? 0); // idle + iowait
  return [total - idle, total];
};

const readPostgres = (): Map<number, number> => {
  const ticks = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      if (!stat.slice(stat.indexOf('(') + 1, close).startsWith('postgres')) continue;
      const rest = stat.slice(close + 2).split(' '); // fields from 3 (state) on
      ticks.set(Number(entry), Number(rest[11]) + Number(rest[12])); // utime, stime
    } catch {
      // the process ended while we looked
    }
  }
  return ticks;
};

export const sampleCpu = (): CpuSample | undefined => {
  try {
    const [machineBusy, machineTotal] = readMachine();
    const usage = process.cpuUsage();
    return {
      at: performance.now(),
      node: (usage.user + usage.system) / 1e6,
      machineBusy,
      machineTotal,
      postgres: readPostgres(),
    };
  } catch {
    return undefined;
  }
};

export const cpuBetween = (a: CpuSample | undefined, b: CpuSample | undefined): CpuBreakdown | undefined => {
  if (!a || !b) return undefined;
  const seconds = (b.at - a.at) / 1000;
  const cores = (b.machineTotal - a.machineTotal) / TICKS_PER_SECOND / seconds;
  const busy = (b.machineBusy - a.machineBusy) / TICKS_PER_SECOND / seconds;
  let pgTicks = 0;
  for (const [pid, ticks] of b.postgres) pgTicks += ticks - (a.postgres.get(pid) ?? 0);
  const node = (b.node - a.node) / seconds;
  const postgres = pgTicks / TICKS_PER_SECOND / seconds;
  const r = (x: number) => Number(Math.max(0, x).toFixed(2));
  return { node: r(node), postgres: r(postgres), other: r(busy - node - postgres), idle: r(cores - busy) };
};

export const averageBreakdown = (items: readonly (CpuBreakdown | undefined)[]): CpuBreakdown | undefined => {
  const present = items.filter((x): x is CpuBreakdown => x !== undefined);
  if (present.length === 0) return undefined;
  const avg = (key: keyof CpuBreakdown) =>
    Number((present.reduce((s, x) => s + x[key], 0) / present.length).toFixed(2));
  return { node: avg('node'), postgres: avg('postgres'), other: avg('other'), idle: avg('idle') };
};
