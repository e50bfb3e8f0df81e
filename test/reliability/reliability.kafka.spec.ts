/**
 * The bounded reliability run (issue 8) in `npm test`: the distributed mode as scripts/distributed.sh
 * starts it from dist/ (built by the script), on a Kafka broker of its own (RELIABILITY_KAFKA_PORT,
 * 29094) and a database of its own, under several clients writing with Idempotency-Key and retries,
 * through a context process and the gateway killed with SIGKILL and relaunched, and the broker wiped.
 * Invariants only, no timings: every acknowledged write in every view exactly once, convergence with
 * no hand on the keyboard within a generous bound, and tokens still good after the gateway's restart.
 * `npm run reliability -- --long` runs every fault with longer loads and writes the figures.
 */
import { describe, expect, it } from '@jest/globals';
import { runDay } from './operator-day.js';
import { BOUNDED, repositoryRoot } from './plans.js';

describe('the distributed mode under load, through kill -9 and a broker wipe', () => {
  it('loses no acknowledged write, doubles none, and converges by itself', async () => {
    const seed = Number(process.env.RELIABILITY_SEED ?? Math.floor(Math.random() * 2 ** 31));
    const lines: string[] = [];
    const day = await runDay({
      root: repositoryRoot(),
      plans: BOUNDED,
      seed,
      log: (line) => {
        lines.push(line);
        if (process.env.RELIABILITY_VERBOSE) process.stderr.write(`${line}\n`);
      },
    });
    const outcome = day.trials.map((trial) => ({
      fault: trial.fault,
      lost: trial.lost,
      doubled: trial.doubled,
      converged: trial.convergedAfterMs !== undefined,
      clientErrors: trial.clientErrors,
      tokensRefused: trial.tokensRefused,
    }));
    const expected = BOUNDED.map(({ fault }) => ({
      fault,
      lost: 0,
      doubled: 0,
      converged: true,
      clientErrors: [],
      tokensRefused: 0,
    }));
    if (JSON.stringify(outcome) !== JSON.stringify(expected))
      process.stderr.write(`${lines.join('\n')}\n${JSON.stringify(day.trials, null, 2)}\n`);
    expect(outcome).toEqual(expected);
    for (const trial of day.trials) {
      expect(trial.acknowledged.applications).toBeGreaterThan(0);
      expect(trial.acknowledged.missions).toBeGreaterThan(0);
    }
    // Every gRPC call logged with its correlation id; the accreditation outage logged when it began
    // and when it ended (at most twice for one kill, however many requests got a 503), with no stack.
    const refusals = day.trials.reduce((n, trial) => n + (trial.failures['503'] ?? 0), 0);
    expect(day.logs.calls).toBeGreaterThan(0);
    expect(day.logs.callsWithoutCorrelationId).toBe(0);
    expect(day.logs.outagesLogged).toBeGreaterThanOrEqual(1);
    expect(day.logs.outagesLogged).toBeLessThanOrEqual(2);
    expect(day.logs.recoveriesLogged).toBe(day.logs.outagesLogged);
    expect(day.logs.stacksFor503).toBe(0);
    expect(refusals).toBeGreaterThan(0);
  }, 900_000);
});
