/** The key store on both databases the platform runs on: a real Postgres server and the embedded PGlite. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sqlOnPool, transactionsOnPool } from '#event-sourcing';
import type { Database } from '#eventstore-postgres';
import { TEST_DATABASES, type OpenedTestDatabase } from '#testing';
import { IdempotencyKeys } from './idempotency-keys.js';
import { fingerprintOf } from './request-fingerprint.js';

const path = '/api/v1/missions/m-1/delegations';
const germany = fingerprintOf('POST', path, { country: 'DE' });
const finland = fingerprintOf('POST', path, { country: 'FI' });

const specsOn = (name: string, open: () => Promise<OpenedTestDatabase>) =>
  describe(`idempotency keys (${name})`, () => {
    let database: Database;
    let cleanup: () => Promise<void>;
    let keys: IdempotencyKeys;

    beforeAll(async () => {
      ({ database, cleanup } = await open());
      keys = new IdempotencyKeys(sqlOnPool(database.pool));
      await keys.prepare(transactionsOnPool(database.pool));
      await keys.prepare(transactionsOnPool(database.pool)); // twice: a restart finds the table there
    });
    afterAll(() => cleanup?.());

    it('runs a first request, answers it again once answered, and refuses the key to another body', async () => {
      expect(await keys.claim('aigerim', 'k-1', germany)).toEqual({ kind: 'run' });
      await keys.answer('aigerim', 'k-1', 201, { id: 'm-1', appended: true });
      expect(await keys.claim('aigerim', 'k-1', germany)).toEqual({
        kind: 'answered',
        status: 201,
        answer: { id: 'm-1', appended: true },
      });
      expect(await keys.claim('aigerim', 'k-1', finland)).toEqual({ kind: 'used', first: germany });
    });

    it("keeps one caller's key apart from another's", async () => {
      expect(await keys.claim('aigerim', 'k-2', germany)).toEqual({ kind: 'run' });
      expect(await keys.claim('bolot', 'k-2', finland)).toEqual({ kind: 'run' });
    });

    it('lets a pending key run again for its own request only, and keeps the first answer', async () => {
      expect(await keys.claim('aigerim', 'k-3', germany)).toEqual({ kind: 'run' });
      expect(await keys.claim('aigerim', 'k-3', germany)).toEqual({ kind: 'run' });
      expect(await keys.claim('aigerim', 'k-3', finland)).toMatchObject({ kind: 'used' });
      await keys.answer('aigerim', 'k-3', 201, { eventIds: ['e-1'], appended: true });
      await keys.answer('aigerim', 'k-3', 201, { eventIds: ['e-1'], appended: false });
      expect(await keys.claim('aigerim', 'k-3', germany)).toMatchObject({
        answer: { eventIds: ['e-1'], appended: true },
      });
    });

    it('frees a released key for another request, but never an answered one', async () => {
      await keys.claim('aigerim', 'k-4', germany);
      await keys.release('aigerim', 'k-4');
      expect(await keys.claim('aigerim', 'k-4', finland)).toEqual({ kind: 'run' });
      await keys.answer('aigerim', 'k-4', 201, { country: 'FI' });
      await keys.release('aigerim', 'k-4');
      expect(await keys.claim('aigerim', 'k-4', germany)).toEqual({ kind: 'used', first: finland });
    });

    it('gives a key to one of two different requests racing for it', async () => {
      const claims = await Promise.all([
        keys.claim('aigerim', 'k-5', germany),
        keys.claim('aigerim', 'k-5', finland),
      ]);
      expect(claims.map((c) => c.kind).sort()).toEqual(['run', 'used']);
    });
  });

for (const [name, open] of TEST_DATABASES) specsOn(name, open);
