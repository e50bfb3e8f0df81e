/** Machine description, the stdout table and the JSON file: the same for every suite. */
import { readFile, mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem, release, platform } from 'node:os';
import { dirname } from 'node:path';
import type { ScenarioResult } from './types.js';

export const machine = () => ({
  cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
  cores: cpus().length,
  memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)),
  node: process.version,
  os: `${platform()} ${release()}`,
  loadAverageAtStart: loadavg().map((l) => Number(l.toFixed(2))),
});

const fmt = (n: number): string => (Math.abs(n) < 100 ? n.toFixed(2) : Math.round(n).toLocaleString('en-US'));

/** A compact fixed-width table: one row per measurement, then the ratios with their goals. */
export const formatTable = (suite: string, results: readonly ScenarioResult[]): string => {
  const lines: string[] = [`\n== ${suite} ==`];
  const header = ['scenario', 'contender', 'setting', 'median', 'min', 'max', 'unit'];
  const rows: string[][] = [];
  for (const result of results)
    for (const m of result.measurements)
      rows.push([result.name, m.contender, m.setting, fmt(m.median), fmt(m.min), fmt(m.max), m.unit]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i >= 3 && i <= 5 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  lines.push(line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line), '');
  const ratioRows = results.flatMap((result) =>
    result.ratios.map((r) => [
      result.name,
      r.name,
      r.setting,
      r.value.toFixed(2),
      r.goal === undefined ? '' : `goal >= ${r.goal}: ${r.met ? 'met' : 'MISSED'}`,
    ]),
  );
  const ratioWidths = [0, 1, 2, 3].map((i) => Math.max(...ratioRows.map((r) => r[i].length)));
  for (const r of ratioRows)
    lines.push(
      [...r.slice(0, 3).map((c, i) => c.padEnd(ratioWidths[i])), r[3].padStart(ratioWidths[3]), r[4]]
        .join('  ')
        .trimEnd(),
    );
  const verdicts = results
    .filter((r) => r.met !== undefined)
    .map((r) => `${r.name}: ${r.met ? 'met' : 'MISSED'}`);
  if (verdicts.length > 0) lines.push('', `goals — ${verdicts.join(', ')}`);
  return lines.join('\n');
};

type SuiteFile = {
  suite: string;
  date: string;
  quick: boolean;
  machine: ReturnType<typeof machine>;
  environment?: Record<string, unknown>;
  scenarios: (ScenarioResult & { date: string })[];
};

/**
 * Writes the suite's file. With --only, the scenarios that ran replace their namesakes and the
 * others are kept (each scenario carries its own date).
 */
export const writeSuiteFile = async (
  path: string,
  suite: string,
  quick: boolean,
  environment: Record<string, unknown> | undefined,
  results: readonly ScenarioResult[],
  replaceAll: boolean,
): Promise<void> => {
  const date = new Date().toISOString();
  let kept: SuiteFile['scenarios'] = [];
  if (!replaceAll) {
    try {
      const previous = JSON.parse(await readFile(path, 'utf8')) as SuiteFile;
      kept = previous.scenarios.filter((s) => !results.some((r) => r.name === s.name));
    } catch {
      kept = [];
    }
  }
  const file: SuiteFile = {
    suite,
    date,
    quick,
    machine: machine(),
    ...(environment ? { environment } : {}),
    scenarios: [...kept, ...results.map((r) => ({ ...r, date }))],
  };
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(file, null, 2)}\n`);
};
