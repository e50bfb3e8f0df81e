/**
 * Benchmark runner: `npm run bench [-- --only <scenario>[,<scenario>...]] [-- --quick] [-- --list]`.
 *
 * Runs every scenario of every suite below except the optional (diagnostic) ones, or those named by
 * --only (a scenario name, a suite name, or `suite/scenario`), prints one table per suite and writes
 * bench-results/<suite output> (<name>.quick.json with --quick).
 * To add a suite (Kafka relay, HTTP, ...): export a `BenchSuite` (types.ts) from a module beside
 * this one and add it to `suites`.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { eventStoreProfileSuite, eventStoreSuite } from './event-store.js';
import { httpDistributedSuite } from './http-distributed.js';
import { httpSuite } from './http.js';
import { projectionsSuite } from './projections.js';
import { relaySuite } from './relay.js';
import { formatTable, machine, writeSuiteFile } from './report.js';
import type { BenchSuite, ScenarioResult } from './types.js';

export const suites: BenchSuite[] = [
  eventStoreSuite,
  eventStoreProfileSuite,
  relaySuite,
  projectionsSuite,
  httpSuite,
  httpDistributedSuite,
];

const RESULTS_DIR = 'bench-results';

const main = async (): Promise<number> => {
  const { values } = parseArgs({
    options: {
      only: { type: 'string', multiple: true },
      quick: { type: 'boolean', default: false },
      list: { type: 'boolean', default: false },
    },
  });
  if (values.list) {
    for (const suite of suites)
      for (const s of suite.scenarios)
        console.log(`${suite.name}/${s.name}${s.optional ? ' (optional)' : ''}  — ${s.description}`);
    return 0;
  }
  const wanted = (values.only ?? [])
    .flatMap((o) => o.split(','))
    .map((o) => o.trim())
    .filter(Boolean);
  const selected = (suite: BenchSuite) =>
    suite.scenarios.filter((s) =>
      wanted.length === 0
        ? !s.optional
        : wanted.some((w) => w === s.name || w === suite.name || w === `${suite.name}/${s.name}`),
    );
  const known = suites.flatMap((suite) => [
    suite.name,
    ...suite.scenarios.flatMap((s) => [s.name, `${suite.name}/${s.name}`]),
  ]);
  const unknown = wanted.filter((w) => !known.includes(w));
  if (unknown.length > 0) {
    console.error(`unknown scenario(s): ${unknown.join(', ')}; known: ${known.join(', ')}`);
    return 2;
  }

  const quick = values.quick ?? false;
  const started = performance.now();
  const log = (message: string) =>
    console.log(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}`);
  log(`machine: ${JSON.stringify(machine())}${quick ? ' (quick: smoke check, not a measurement)' : ''}`);
  let failures = 0;

  for (const suite of suites) {
    const scenarios = selected(suite);
    if (scenarios.length === 0) continue;
    const environment = await suite.environment?.();
    if (environment) log(`${suite.name}: ${JSON.stringify(environment)}`);
    const results: ScenarioResult[] = [];
    for (const scenario of scenarios) {
      log(`${suite.name}/${scenario.name}: ${scenario.description}`);
      try {
        results.push(await scenario.run({ quick, log }));
      } catch (error) {
        failures += 1;
        log(`${suite.name}/${scenario.name} FAILED: ${(error as Error).stack ?? error}`);
      }
    }
    if (results.length === 0) continue;
    console.log(formatTable(suite.name, results));
    const file = join(RESULTS_DIR, quick ? suite.output.replace(/\.json$/, '.quick.json') : suite.output);
    await writeSuiteFile(file, suite.name, quick, environment, results, wanted.length === 0);
    log(`wrote ${file}`);
  }
  log(`done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  return failures === 0 ? 0 : 1;
};

process.exitCode = await main();
