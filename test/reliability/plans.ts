/**
 * The two forms of the reliability run: the bounded one CI runs in `npm test` (a few faults, short
 * loads, about two minutes on an idle 2-core machine) and the long one of `npm run reliability -- --long`
 * (every fault, longer loads, more clients). The bounds on convergence are generous on purpose: the
 * machine may be shared; what must hold is 0 lost and 0 doubled, never a timing.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TrialPlan } from './trial.js';

const CONVERGE_WITHIN_MS = 180_000;

export const BOUNDED: readonly TrialPlan[] = [
  {
    fault: 'kill-accreditation',
    loadMs: 8000,
    downMs: 2000,
    clients: 4,
    convergeWithinMs: CONVERGE_WITHIN_MS,
  },
  { fault: 'kill-gateway', loadMs: 8000, downMs: 2000, clients: 4, convergeWithinMs: CONVERGE_WITHIN_MS },
  { fault: 'broker-wiped', loadMs: 8000, downMs: 2000, clients: 4, convergeWithinMs: CONVERGE_WITHIN_MS },
];

export const LONG: readonly TrialPlan[] = [
  { fault: 'none', loadMs: 30_000, downMs: 0, clients: 8, convergeWithinMs: CONVERGE_WITHIN_MS },
  {
    fault: 'kill-accreditation',
    loadMs: 30_000,
    downMs: 5000,
    clients: 8,
    convergeWithinMs: CONVERGE_WITHIN_MS,
  },
  { fault: 'kill-missions', loadMs: 30_000, downMs: 5000, clients: 8, convergeWithinMs: CONVERGE_WITHIN_MS },
  { fault: 'kill-gateway', loadMs: 30_000, downMs: 5000, clients: 8, convergeWithinMs: CONVERGE_WITHIN_MS },
  {
    fault: 'broker-stopped',
    loadMs: 45_000,
    downMs: 30_000,
    clients: 8,
    convergeWithinMs: CONVERGE_WITHIN_MS,
  },
  { fault: 'broker-wiped', loadMs: 30_000, downMs: 5000, clients: 8, convergeWithinMs: CONVERGE_WITHIN_MS },
  {
    fault: 'restart-everything',
    loadMs: 45_000,
    downMs: 0,
    clients: 8,
    convergeWithinMs: CONVERGE_WITHIN_MS,
  },
];

/** The repository: the nearest folder above this file with scripts/distributed.sh (from src/ and dist/ alike). */
export const repositoryRoot = (from: string = fileURLToPath(import.meta.url)): string => {
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'scripts', 'distributed.sh'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no scripts/distributed.sh above ${from}`);
  }
};
