/**
 * Idempotency-Keys at the HTTP edge: the key store on the process's database and the check on every
 * write route. Global, so that a route-level IdempotentUploads finds the store from any module (the
 * gateway serves each context's controllers from a module of their own).
 */
import { Global, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { sqlOnPool, transactionsOnPool } from '#event-sourcing';
import type { Database } from '#eventstore-postgres';
import { DATABASE } from '#platform';
import { IdempotencyKeys } from './idempotency-keys.js';
import { IDEMPOTENCY_KEYS, IdempotentWrites } from './idempotent-writes.js';

@Global()
@Module({
  providers: [
    {
      provide: IDEMPOTENCY_KEYS,
      inject: [DATABASE],
      useFactory: async (database: Database) => {
        const keys = new IdempotencyKeys(sqlOnPool(database.pool));
        await keys.prepare(transactionsOnPool(database.pool));
        return keys;
      },
    },
    { provide: APP_INTERCEPTOR, useClass: IdempotentWrites },
  ],
  exports: [IDEMPOTENCY_KEYS],
})
export class IdempotencyModule {}
