/**
 * Which event store a host binds for which configuration. No EventStoreDB server runs here: the
 * EventStoreDB host is pointed at a closed port, which is enough to see what was bound (the adapter's
 * own contract suite runs against a server when EVENTSTOREDB_URL is given, libs/eventstore-eventstoredb).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { EVENT_STORE, type EventStore } from '#event-sourcing';
import { EventStoreDbEventStore } from '#eventstore-eventstoredb';
import { openDatabase, PostgresEventStore, type Database } from '#eventstore-postgres';
import { createTestDatabase, type TestDatabase } from '#testing';
import { loadConfig } from './config.js';
import { DATABASE, EventStoreModule, eventStoreFor } from './event-store.module.js';
import { HealthModule, STORE_DESCRIPTION, type StoreDescription } from './health.js';
import { createHttpApp } from './http-app.js';
import { MetricsModule } from './metrics.js';

const NOBODY = 'kurrentdb://127.0.0.1:1?tls=false';

describe('the event store a host binds', () => {
  let db: TestDatabase;
  let database: Database;
  const stores: EventStore[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('observa_store_choice');
    database = await openDatabase({ url: db.url });
  });
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
  });
  afterAll(async () => {
    await database?.close();
    await db?.drop();
  });

  it('is Postgres, on the database it opened, when only DATABASE_URL is set', () => {
    const { store, description } = eventStoreFor(loadConfig({ DATABASE_URL: db.url }), database);
    stores.push(store);
    expect(store).toBeInstanceOf(PostgresEventStore);
    expect(description).toEqual({ kind: 'postgres', describe: database.describe });
  });

  it('is EventStoreDB when EVENTSTOREDB_URL is set, described without credentials', () => {
    const config = loadConfig({
      DATABASE_URL: db.url,
      EVENTSTOREDB_URL: 'kurrentdb://admin:changeit@node-1:2113,node-2:2113?tls=true',
    });
    const { store, description } = eventStoreFor(config, database);
    stores.push(store);
    expect(store).toBeInstanceOf(EventStoreDbEventStore);
    expect(description).toEqual({ kind: 'eventstoredb', describe: 'eventstoredb:node-1:2113,node-2:2113' });
  });

  describe('in a host configured for EventStoreDB', () => {
    let app: INestApplication;

    beforeAll(async () => {
      const config = loadConfig({ DATABASE_URL: db.url, EVENTSTOREDB_URL: NOBODY, LOG_LEVEL: 'silent' });
      const moduleRef = await Test.createTestingModule({
        imports: [MetricsModule, EventStoreModule.forRoot(config), HealthModule],
      }).compile();
      app = await createHttpApp(moduleRef, config);
      await app.init();
    });
    afterAll(() => app?.close());

    it('keeps Postgres for everything but the events, and says which store it runs on', async () => {
      expect(app.get<Database>(DATABASE).describe).toBe(database.describe);
      expect(app.get<StoreDescription>(STORE_DESCRIPTION)).toEqual({
        kind: 'eventstoredb',
        describe: 'eventstoredb:127.0.0.1:1',
      });
      // The Postgres store would answer: only the EventStoreDB adapter can fail to.
      await expect(app.get<EventStore>(EVENT_STORE).headPosition()).rejects.toThrow();
    });

    it('is down on /health while that server does not answer', async () => {
      const response = await request(app.getHttpServer()).get('/health');
      expect(response.status).toBe(503);
      expect(response.body).toMatchObject({ status: 'down', store: { kind: 'eventstoredb' } });
    });
  });
});
