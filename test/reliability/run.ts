/**
 * `npm run reliability` (the bounded form), `npm run reliability -- --long` (every fault, longer loads),
 * `-- --only kill-gateway,broker-wiped`, `-- --seed 42`: runs an operator's day and writes its figures
 * to bench-results/reliability.json (the bounded form: reliability.quick.json; or --out <file>), with
 * the table README shows. Exit code 1 when
 * any trial lost or doubled a write or did not converge.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { FAULTS, type FaultName } from './faults.js';
import { runDay, type DayResult } from './operator-day.js';
import { BOUNDED, LONG, repositoryRoot } from './plans.js';
import type { TrialResult } from './trial.js';

const argument = (name: string): string | undefined => {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
};

const seconds = (ms: number | undefined) => (ms === undefined ? 'never' : `${(ms / 1000).toFixed(1)} s`);

/** The fewest of `kind` any view holds (each view is checked on its own in the JSON). */
const held = (t: TrialResult, kind: 'application' | 'mission') =>
  Math.min(...t.views.filter((v) => v.kind === kind).map((v) => v.found - v.doubled));

/** The README's table. */
export const table = (day: DayResult): string =>
  [
    '| fault under load | clients, load | acknowledged (applications + missions) | in every read model | lost | doubled | seconds with 503 / no answer | read models agree after the load | on Kafka too |',
    '|---|---|---|---|---|---|---|---|---|',
    ...day.trials.map((t) => {
      const acknowledged = `${t.acknowledged.applications} + ${t.acknowledged.missions}`;
      const inViews = `${held(t, 'application')} + ${held(t, 'mission')}`;
      return `| ${t.description}${t.downMs ? ` (${t.downMs / 1000} s)` : ''} | ${t.clients}, ${(t.loadMs / 1000).toFixed(0)} s | ${acknowledged} | ${inViews} | ${t.lost} | ${t.doubled} | ${t.secondsRefused} / ${t.secondsUnanswered} | ${seconds(t.readModelsAfterMs)} | ${seconds(t.convergedAfterMs)} |`;
    }),
  ].join('\n');

const main = async () => {
  const root = repositoryRoot();
  const only = argument('--only')?.split(',') as FaultName[] | undefined;
  for (const name of only ?? [])
    if (!(name in FAULTS))
      throw new Error(`--only ${name}: no such fault (${Object.keys(FAULTS).join(', ')})`);
  const long = process.argv.includes('--long');
  const plans = (long ? LONG : BOUNDED).filter((p) => !only || only.includes(p.fault));
  const seed = Number(argument('--seed') ?? Math.floor(Math.random() * 2 ** 31));
  const day = await runDay({ root, plans, seed, log: (line) => process.stderr.write(`${line}\n`) });
  // The long form's figures are README's (committed); the bounded form's are a smoke run's (ignored).
  const out =
    argument('--out') ?? join(root, 'bench-results', long ? 'reliability.json' : 'reliability.quick.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(
    out,
    `${JSON.stringify({ form: long ? 'long' : 'bounded', machine: { cpus: cpus().length, cpu: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30) }, ...day }, null, 2)}\n`,
  );
  process.stdout.write(`${table(day)}\n\nfigures in ${out}\n`);
  const failed = day.trials.filter(
    (t) => t.lost > 0 || t.doubled > 0 || t.convergedAfterMs === undefined || t.clientErrors.length > 0,
  );
  if (failed.length > 0) {
    process.stderr.write(
      `reliability: ${failed.map((t) => t.fault).join(', ')} failed; logs in ${day.runDir}\n`,
    );
    process.exitCode = 1;
  }
};

await main();
