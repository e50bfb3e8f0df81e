/** /health against the embedded store (PGlite): up, then with its database gone. */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Global, Module, type DynamicModule, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { EVENT_STORE, type EventStore } from '#event-sourcing';
import { migrate, openDatabase, PostgresEventStore, type Database } from '#eventstore-postgres';
import { loadConfig } from './config.js';
import { HealthModule, HealthParts, STORE_DESCRIPTION, type PartHealth } from './health.js';
import { MetricsModule } from './metrics.js';
import { createHttpApp } from './http-app.js';

@Global()
@Module({})
class GivenStoreModule {
  static of(store: EventStore): DynamicModule {
    return {
      module: GivenStoreModule,
      providers: [
        { provide: EVENT_STORE, useValue: store },
        { provide: STORE_DESCRIPTION, useValue: { kind: 'pglite', describe: 'pglite:memory://' } },
      ],
      exports: [EVENT_STORE, STORE_DESCRIPTION],
    };
  }
}

describe('GET /health', () => {
  let database: Database;
  let store: EventStore;
  let app: INestApplication;

  beforeAll(async () => {
    database = await openDatabase({ dataDir: 'memory://' });
    await migrate(database.pool);
    store = new PostgresEventStore(database.pool);
    const moduleRef = await Test.createTestingModule({
      imports: [GivenStoreModule.of(store), HealthModule],
    }).compile();
    const config = loadConfig({ LOG_LEVEL: 'silent' });
    app = await createHttpApp(moduleRef, config);
    await app.init();
  });
  afterAll(() => app?.close());

  it('is 200 with where $all ends while the store answers', async () => {
    const appended = await store.appendToStream(
      `visit-${randomUUID()}`,
      [
        {
          eventId: randomUUID(),
          type: 'VisitAssigned',
          schemaVersion: 1,
          data: {},
          metadata: { occurredAt: '2023-11-30T06:00:00Z' },
        },
      ],
      'no_stream',
    );
    const { commit, prepare } = appended.events[0].globalPosition;
    const response = await request(app.getHttpServer()).get('/health');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      status: 'ok',
      store: { kind: 'pglite', describe: 'pglite:memory://', head: `${commit}/${prepare}` },
    });
  });

  it('is 503 and down once the store is gone, without the driver’s words', async () => {
    await database.close();
    const response = await request(app.getHttpServer()).get('/health');
    expect(response.status).toBe(503);
    expect(response.body).toEqual({
      status: 'down',
      store: {
        kind: 'pglite',
        describe: 'pglite:memory://',
        error: 'the store failed to answer; the cause is logged',
      },
    });
  });
});

describe('GET /health where a relay and consumers run', () => {
  let database: Database;
  let app: INestApplication;
  let broker: PartHealth = { part: 'broker', status: 'ok' };

  beforeAll(async () => {
    database = await openDatabase({ dataDir: 'memory://' });
    await migrate(database.pool);
    const moduleRef = await Test.createTestingModule({
      imports: [GivenStoreModule.of(new PostgresEventStore(database.pool)), MetricsModule, HealthModule],
    }).compile();
    app = await createHttpApp(moduleRef, loadConfig({ LOG_LEVEL: 'silent' }));
    await app.init();
    app.get(HealthParts).add(() => [broker, { part: 'relay', status: 'ok' }]);
  });
  afterAll(async () => {
    await app?.close();
    await database?.close();
  });

  it('lists their states and stays ok while they are', async () => {
    const response = await request(app.getHttpServer()).get('/health');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      status: 'ok',
      parts: [
        { part: 'broker', status: 'ok' },
        { part: 'relay', status: 'ok' },
      ],
    });
  });

  it('is degraded with the reason, still 200 since commands are served, while the broker is unreachable', async () => {
    broker = { part: 'broker', status: 'degraded', reason: 'the Kafka broker does not answer: ECONNREFUSED' };
    const response = await request(app.getHttpServer()).get('/health');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      status: 'degraded',
      parts: [broker, { part: 'relay', status: 'ok' }],
    });
  });
});

describe('GET /health while the store hangs', () => {
  let app: INestApplication;
  const hanging = { headPosition: () => new Promise<never>(() => undefined) } as unknown as EventStore;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [GivenStoreModule.of(hanging), MetricsModule, HealthModule],
    }).compile();
    app = await createHttpApp(moduleRef, loadConfig({ LOG_LEVEL: 'silent' }));
    await app.init();
    app.get(HealthParts).add(() => [{ part: 'relay', status: 'ok' }]);
  });
  afterAll(() => app?.close());

  it('is 503 once the probe has waited its 2 s, still listing the parts', async () => {
    const response = await request(app.getHttpServer()).get('/health');
    expect(response.status).toBe(503);
    expect(response.body).toEqual({
      status: 'down',
      store: {
        kind: 'pglite',
        describe: 'pglite:memory://',
        error: 'the store did not answer within 2000 ms',
      },
      parts: [{ part: 'relay', status: 'ok' }],
    });
  });
});
