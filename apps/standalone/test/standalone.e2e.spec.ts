/** The standalone app as `npm start` builds it, on an in-memory PGlite, over real HTTP on an ephemeral port. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Test } from '@nestjs/testing';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { createHttpApp, loadConfig } from '#platform';
import { AppModule } from '../src/app.module.js';

const PROBLEM = /^application\/problem\+json/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('standalone app', () => {
  let app: NestExpressApplication;
  let http: ReturnType<typeof request>;

  beforeAll(async () => {
    const config = loadConfig({ OBSERVA_DATA_DIR: 'memory://', LOG_LEVEL: 'silent' });
    const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config)] }).compile();
    app = await createHttpApp(moduleRef, config);
    await app.listen(0, '127.0.0.1');
    http = request(app.getHttpServer());
  });
  afterAll(() => app?.close());

  it('is healthy on the embedded store', async () => {
    const response = await http.get('/health');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      status: 'ok',
      store: { kind: 'pglite', describe: 'pglite:memory://', head: expect.stringMatching(/^\d+\/\d+$/) },
    });
  });

  it('serves its OpenAPI page and document, which list the operations endpoints', async () => {
    const page = await http.get('/api/docs');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    const document = await http.get('/api/docs-json');
    expect(document.status).toBe(200);
    expect(document.body.info).toMatchObject({ title: 'Observa', version: expect.any(String) });
    expect(Object.keys(document.body.paths)).toEqual(expect.arrayContaining(['/health', '/metrics']));
    expect(document.body.components.securitySchemes).toMatchObject({
      bearer: { type: 'http', scheme: 'bearer' },
    });
  });

  it('exposes Prometheus metrics', async () => {
    const response = await http.get('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    expect(response.text).toMatch(/^observa_events_appended_total \d+$/m);
    expect(response.text).toMatch(/^# TYPE observa_append_duration_seconds histogram$/m);
    expect(response.text).toMatch(/^process_resident_memory_bytes /m);
  });

  it('answers malformed JSON with 400 problem+json, before routing', async () => {
    const response = await http
      .post('/api/v1/missions')
      .set('content-type', 'application/json')
      .set('x-correlation-id', 'field-team-7')
      .send('{"missionId": "m-1",');
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(PROBLEM);
    expect(response.headers['x-correlation-id']).toBe('field-team-7');
    expect(JSON.parse(response.text)).toEqual({
      type: 'urn:observa:problem:malformed-json',
      title: 'Malformed JSON',
      status: 400,
      detail: 'The request body is not valid JSON.',
      instance: '/api/v1/missions',
      correlationId: 'field-team-7',
    });
  });

  it('answers an unknown route with 404 problem+json that echoes the correlation id', async () => {
    const response = await http.get('/api/v1/nowhere?token=secret').set('x-correlation-id', 'req-404');
    expect(response.status).toBe(404);
    expect(response.headers['content-type']).toMatch(PROBLEM);
    expect(response.headers['x-correlation-id']).toBe('req-404');
    expect(JSON.parse(response.text)).toMatchObject({
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      instance: '/api/v1/nowhere',
      correlationId: 'req-404',
    });
  });

  it('gives every request a correlation id, keeping a well-formed one and replacing a bad one', async () => {
    expect(
      (await http.get('/health').set('x-correlation-id', 'lto-3:visit.9')).headers['x-correlation-id'],
    ).toBe('lto-3:visit.9');
    expect(
      (await http.get('/health').set('x-correlation-id', 'not valid!')).headers['x-correlation-id'],
    ).toMatch(UUID);
    expect((await http.get('/health')).headers['x-correlation-id']).toMatch(UUID);
  });

  it('refuses a body over 1 MB with 413 problem+json', async () => {
    const response = await http
      .post('/api/v1/missions')
      .set('content-type', 'application/json')
      .send(JSON.stringify({ notes: 'x'.repeat(1024 * 1024) }));
    expect(response.status).toBe(413);
    expect(response.headers['content-type']).toMatch(PROBLEM);
    expect(JSON.parse(response.text)).toMatchObject({
      status: 413,
      title: 'Payload Too Large',
      correlationId: expect.any(String),
    });
  });

  it('keeps the operations endpoints out of the versioned API', async () => {
    expect((await http.get('/api/v1/health')).status).toBe(404);
    expect((await http.get('/api/v1/metrics')).status).toBe(404);
  });
});
