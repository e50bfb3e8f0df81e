/** The standalone app on a Postgres server (DATABASE_URL) instead of the embedded store. */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Test } from '@nestjs/testing';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { createHttpApp, loadConfig } from '#platform';
import { createTestDatabase, type TestDatabase } from '#testing';
import { AppModule } from '../src/app.module.js';

describe('standalone app on a Postgres server', () => {
  let database: TestDatabase;
  let app: NestExpressApplication;

  beforeAll(async () => {
    database = await createTestDatabase('observa_standalone');
    const config = loadConfig({
      DATABASE_URL: database.url,
      LOG_LEVEL: 'silent',
      OBSERVA_KEK_FILE: join(tmpdir(), 'observa-kek', `${database.name}.kek`),
    });
    const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config)] }).compile();
    app = await createHttpApp(moduleRef, config);
    await app.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  it('migrates the server and reports it as the store', async () => {
    const response = await request(app.getHttpServer()).get('/health');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      status: 'ok',
      store: { kind: 'postgres', head: expect.stringMatching(/^\d+\/\d+$/) },
    });
    expect(response.body.store.describe).toContain(database.name);
  });
});
