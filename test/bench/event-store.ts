/** The event store suite: our Postgres store against Emmett and against raw pg, on one server. */
import { batchAppends, singleAppends } from './appends.js';
import { serverDescription } from './db.js';
import { profileScenarios } from './profile.js';
import { readAll } from './reads.js';
import type { BenchSuite } from './types.js';

export const eventStoreSuite: BenchSuite = {
  name: 'event-store',
  output: 'event-store.json',
  scenarios: [singleAppends, batchAppends, readAll],
  environment: async () => ({ postgres: await serverDescription() }),
};

/** Diagnostics for the append path (see profile.ts); only with --only event-store-profile or a scenario name. */
export const eventStoreProfileSuite: BenchSuite = {
  name: 'event-store-profile',
  output: 'event-store-profile.json',
  scenarios: profileScenarios.map((s) => ({ ...s, optional: true })),
  environment: async () => ({ postgres: await serverDescription() }),
};
