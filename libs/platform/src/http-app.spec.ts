/** The shared HTTP edge on a throwaway controller: what every app gets from createHttpApp. */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Body, Controller, Get, Logger, Param, Post, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { IsInt, IsString, Min } from 'class-validator';
import request from 'supertest';
import { VersionConflict } from '#event-sourcing';
import { loadConfig } from './config.js';
import { currentCorrelationId } from './correlation.js';
import { createHttpApp, localUrl } from './http-app.js';
import { createLogger, PinoLoggerService } from './logging.js';
import { MAX_BODY_DEPTH } from './storable-input.js';

class ReportIncident {
  @IsString() summary!: string;
  @IsInt() @Min(1) severity!: number;
}

@Controller('probe')
class ProbeController {
  private readonly logger = new Logger('Probe');

  @Post('incidents')
  report(@Body() incident: ReportIncident) {
    this.logger.log('incident received');
    return { summary: incident.summary.length, correlationId: currentCorrelationId() ?? null };
  }

  @Get('stations/:code')
  station(@Param('code') code: string) {
    return { code };
  }

  @Get('conflict')
  conflict() {
    throw new VersionConflict('visit-1', '3', 4n);
  }

  @Get('boom')
  boom() {
    throw new Error('pool exhausted at 10.0.0.7:5432');
  }
}

const PROBLEM = /^application\/problem\+json/;

/** Sends the body in two writes with a pause, so the parser finishes on a later socket read. */
const postInTwoParts = (
  url: string,
  body: string,
  correlationId: string,
): Promise<{ status: number; text: string }> =>
  new Promise((resolve, reject) => {
    const req = httpRequest(
      `${url}/api/v1/probe/incidents`,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'x-correlation-id': correlationId,
        },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    const half = Math.floor(body.length / 2);
    req.write(body.slice(0, half));
    setTimeout(() => req.end(body.slice(half)), 50);
  });

describe('the shared HTTP edge', () => {
  let app: INestApplication;
  const lines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    const config = loadConfig({ OBSERVA_BODY_LIMIT: '64kb', LOG_LEVEL: 'info' });
    const logger = new PinoLoggerService(
      createLogger({ level: 'info', destination: { write: (line: string) => lines.push(JSON.parse(line)) } }),
    );
    const moduleRef = await Test.createTestingModule({ controllers: [ProbeController] }).compile();
    app = await createHttpApp(moduleRef, config, { logger });
    await app.listen(0, '127.0.0.1');
  });
  afterAll(() => app?.close());

  it('hands a valid body to the route, in the request’s correlation context', async () => {
    const response = await request(app.getHttpServer())
      .post('/api/v1/probe/incidents')
      .set('x-correlation-id', 'station-12.check-1')
      .send({ summary: 'seal broken', severity: 2 });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({ summary: 11, correlationId: 'station-12.check-1' });
    expect(lines).toContainEqual(
      expect.objectContaining({ msg: 'incident received', correlationId: 'station-12.check-1' }),
    );
  });

  it('keeps the correlation context when the body arrives in pieces', async () => {
    const body = JSON.stringify({ summary: 'x'.repeat(40_000), severity: 1 });
    const response = await postInTwoParts(localUrl(app), body, 'slow-upload-1');
    expect(response.status).toBe(201);
    expect(JSON.parse(response.text)).toEqual({ summary: 40_000, correlationId: 'slow-upload-1' });
  });

  it('names every offending field, and refuses fields it does not know', async () => {
    const response = await request(app.getHttpServer())
      .post('/api/v1/probe/incidents')
      .send({ summary: 42, severity: 0, votes: 3 });
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(PROBLEM);
    const problem = JSON.parse(response.text);
    expect(problem).toMatchObject({
      type: 'urn:observa:problem:validation',
      status: 400,
      instance: '/api/v1/probe/incidents',
    });
    expect(problem.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'severity',
      'summary',
      'votes',
    ]);
  });

  it('refuses a body nested 10 000 deep with 400 naming the field, where it used to overflow the stack', async () => {
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    const response = await request(app.getHttpServer())
      .post('/api/v1/probe/incidents')
      .set('content-type', 'application/json')
      .send(`{"summary":${deep},"severity":1}`);
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(PROBLEM);
    const problem = JSON.parse(response.text);
    expect(problem).toMatchObject({ type: 'urn:observa:problem:validation', status: 400 });
    expect(problem.errors).toEqual([
      {
        field: ['summary', ...Array<number>(MAX_BODY_DEPTH - 1).fill(0)].join('.'),
        message: `is nested deeper than ${MAX_BODY_DEPTH} levels`,
      },
    ]);
  });

  it('refuses a lone surrogate in the body and a NUL in a path parameter, naming where', async () => {
    const body = await request(app.getHttpServer())
      .post('/api/v1/probe/incidents')
      .set('content-type', 'application/json')
      .send('{"summary":"seal \\ud800 broken","severity":1}');
    expect(body.status).toBe(400);
    expect(JSON.parse(body.text).errors).toEqual([
      { field: 'summary', message: 'contains a lone UTF-16 surrogate U+D800 (at 5)' },
    ]);
    const param = await request(app.getHttpServer()).get('/api/v1/probe/stations/KG%00-12');
    expect(param.status).toBe(400);
    expect(param.headers['content-type']).toMatch(PROBLEM);
    expect(JSON.parse(param.text).errors).toEqual([
      { field: 'code', message: 'contains a NUL character (at 2)' },
    ]);
    const ok = await request(app.getHttpServer()).get('/api/v1/probe/stations/KG-%F0%9F%97%B3');
    expect(ok.body).toEqual({ code: 'KG-🗳' });
  });

  it('answers a body over the configured limit with 413', async () => {
    const response = await request(app.getHttpServer())
      .post('/api/v1/probe/incidents')
      .set('content-type', 'application/json')
      .send(JSON.stringify({ summary: 'x'.repeat(70_000), severity: 1 }));
    expect(response.status).toBe(413);
    expect(response.headers['content-type']).toMatch(PROBLEM);
    expect(JSON.parse(response.text)).toMatchObject({
      status: 413,
      detail: expect.stringContaining('65536 bytes'),
    });
  });

  it('maps a domain error to its status', async () => {
    const response = await request(app.getHttpServer()).get('/api/v1/probe/conflict');
    expect(response.status).toBe(409);
    expect(JSON.parse(response.text)).toMatchObject({
      type: 'urn:observa:problem:version-conflict',
      status: 409,
    });
  });

  it('answers an unexpected error with a bare 500 and logs it in full', async () => {
    const response = await request(app.getHttpServer())
      .get('/api/v1/probe/boom')
      .set('x-correlation-id', 'boom-1');
    expect(response.status).toBe(500);
    expect(response.text).not.toMatch(/pool exhausted|10\.0\.0\.7/);
    expect(JSON.parse(response.text)).toMatchObject({ status: 500, correlationId: 'boom-1' });
    const logged = lines.find((line) => line.level === 'error' && line.correlationId === 'boom-1');
    expect(logged).toMatchObject({
      context: 'ProblemFilter',
      err: { message: 'pool exhausted at 10.0.0.7:5432' },
    });
  });
});

describe('security headers and cross-origin calls', () => {
  const start = async (env: NodeJS.ProcessEnv) => {
    const moduleRef = await Test.createTestingModule({ controllers: [ProbeController] }).compile();
    const app = await createHttpApp(moduleRef, loadConfig({ LOG_LEVEL: 'silent', ...env }));
    await app.init();
    return app;
  };

  it('sends the security headers on every answer, errors included', async () => {
    const app = await start({});
    try {
      for (const path of ['/api/v1/probe/stations/7', '/api/v1/probe/boom']) {
        const response = await request(app.getHttpServer()).get(path);
        expect(response.headers).toMatchObject({
          'x-content-type-options': 'nosniff',
          'x-frame-options': 'SAMEORIGIN',
          'referrer-policy': 'no-referrer',
          'strict-transport-security': expect.stringMatching(/^max-age=\d+/),
        });
        const csp = response.headers['content-security-policy'];
        expect(csp).toContain("default-src 'self'");
        expect(csp).toContain("frame-ancestors 'none'");
        expect(csp).not.toContain('upgrade-insecure-requests');
        expect(response.headers['x-powered-by']).toBeUndefined();
      }
    } finally {
      await app.close();
    }
  });

  it('answers no cross-origin call unless its origin is configured', async () => {
    const app = await start({});
    try {
      const preflight = await request(app.getHttpServer())
        .options('/api/v1/probe/incidents')
        .set('origin', 'https://app.mission.example')
        .set('access-control-request-method', 'POST');
      expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await app.close();
    }
  });

  it('lets the configured origins call, with the headers the API needs, and no other origin', async () => {
    const app = await start({ OBSERVA_CORS_ORIGINS: 'https://app.mission.example, http://localhost:5173' });
    try {
      const preflight = await request(app.getHttpServer())
        .options('/api/v1/probe/incidents')
        .set('origin', 'https://app.mission.example')
        .set('access-control-request-method', 'POST')
        .set('access-control-request-headers', 'authorization,content-type,idempotency-key');
      expect(preflight.status).toBe(204);
      expect(preflight.headers['access-control-allow-origin']).toBe('https://app.mission.example');
      expect(preflight.headers['access-control-allow-headers']).toContain('idempotency-key');
      const answer = await request(app.getHttpServer())
        .get('/api/v1/probe/stations/7')
        .set('origin', 'http://localhost:5173');
      expect(answer.headers['access-control-allow-origin']).toBe('http://localhost:5173');
      expect(answer.headers['access-control-expose-headers']).toContain('x-correlation-id');
      const stranger = await request(app.getHttpServer())
        .get('/api/v1/probe/stations/7')
        .set('origin', 'https://evil.example');
      expect(stranger.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await app.close();
    }
  });
});
