/**
 * The harness's contract check, on a small server with its own OpenAPI document: answers the document
 * describes pass; an undocumented status, field, media type or route, a missing field and a null where
 * none may be fail the request that got them.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { checkedHttp, type Http } from './harness.js';

const problem = { $ref: '#/components/schemas/Problem' };
const document = {
  openapi: '3.0.0',
  paths: {
    '/api/v1/badges/{number}': {
      get: {
        responses: {
          '200': { content: { 'application/json': { schema: { $ref: '#/components/schemas/Badge' } } } },
          '404': { content: { 'application/problem+json': { schema: problem } } },
        },
      },
    },
    '/api/v1/badges/mine': {
      get: {
        responses: { '200': { content: { 'application/json': { schema: { type: 'array', items: {} } } } } },
      },
    },
  },
  components: {
    schemas: {
      Badge: {
        type: 'object',
        properties: {
          number: { type: 'string' },
          holder: { nullable: true, type: 'object', allOf: [{ $ref: '#/components/schemas/Holder' }] },
        },
        required: ['number', 'holder'],
      },
      Holder: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
      Problem: {
        type: 'object',
        properties: { type: { type: 'string' }, title: { type: 'string' }, status: { type: 'integer' } },
        required: ['type', 'title', 'status'],
      },
    },
  },
};

/** What each badge number answers: [status, media type, body]. */
const ANSWERS: Record<string, [number, string, unknown]> = {
  good: [200, 'application/json', { number: 'KG-1', holder: { name: 'Anna' } }],
  unheld: [200, 'application/json', { number: 'KG-2', holder: null }],
  extra: [200, 'application/json', { number: 'KG-3', holder: null, secret: 'x' }],
  missing: [200, 'application/json', { holder: null }],
  'bad-holder': [200, 'application/json', { number: 'KG-4', holder: { name: 7 } }],
  absent: [404, 'application/problem+json', { type: 'about:blank', title: 'Not Found', status: 404 }],
  conflict: [409, 'application/problem+json', { type: 'about:blank', title: 'Conflict', status: 409 }],
  'as-text': [200, 'text/plain', 'KG-5'],
};

describe('every answer checked against the OpenAPI document', () => {
  let server: Server;
  let http: Http;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      const send = (status: number, type: string, body: unknown) => {
        res.writeHead(status, { 'content-type': `${type}; charset=utf-8` });
        res.end(typeof body === 'string' ? body : JSON.stringify(body));
      };
      if (path === '/api/docs-json') return send(200, 'application/json', document);
      if (path === '/api/v1/badges/mine') return send(200, 'application/json', []);
      const answer = ANSWERS[path.replace('/api/v1/badges/', '')];
      if (answer && path.startsWith('/api/v1/badges/')) return send(...answer);
      return send(404, 'application/problem+json', { type: 'about:blank', title: 'Not Found', status: 404 });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    http = checkedHttp(server);
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it.each(['good', 'unheld', 'absent'])('passes an answer the document describes (%s)', async (badge) => {
    expect((await http.get(`/api/v1/badges/${badge}`)).status).toBe(ANSWERS[badge][0]);
  });

  it('prefers a literal path to a parameter', async () => {
    expect((await http.get('/api/v1/badges/mine')).body).toEqual([]);
  });

  it('passes the 404 problem of a route that does not exist', async () => {
    expect((await http.get('/api/v1/nowhere')).status).toBe(404);
  });

  it.each([
    ['extra', /must NOT have additional properties.*secret/],
    ['missing', /must have required property 'number'/],
    ['bad-holder', /\/holder/],
    ['conflict', /answered 409.*a status the OpenAPI document does not list.*lists 200, 404/],
    ['as-text', /the OpenAPI document says application\/json/],
  ])('fails an answer the document does not describe (%s)', async (badge, why) => {
    await expect(http.get(`/api/v1/badges/${badge}`)).rejects.toThrow(why);
  });

  it('fails an operation the document does not have', async () => {
    await expect(http.post('/api/v1/badges/good').send({})).rejects.toThrow(/has no such operation/);
  });
});
