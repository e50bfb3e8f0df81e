import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import {
  CORRELATION_HEADER,
  correlationIdFrom,
  correlationMiddleware,
  currentCorrelationId,
  isWellFormedCorrelationId,
  runWithCorrelationId,
} from './correlation.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('correlation id format', () => {
  it.each(['a', 'req-42', 'Trace.id_7:span-9', 'A'.repeat(128), '550e8400-e29b-41d4-a716-446655440000'])(
    'keeps the caller’s %s',
    (id) => expect(correlationIdFrom(id)).toBe(id),
  );

  it.each([
    ['empty', ''],
    ['129 characters', 'a'.repeat(129)],
    ['a space', 'req 42'],
    ['a header injection', 'req-42\r\nset-cookie: x=1'],
    ['non-ASCII letters', 'наблюдатель'],
    ['a slash', 'a/b'],
    ['two joined headers', 'req-1, req-2'],
  ])('replaces one with %s by a new UUID', (_, id) => {
    expect(isWellFormedCorrelationId(id)).toBe(false);
    expect(correlationIdFrom(id)).toMatch(UUID);
  });

  it('makes a new UUID when the caller sends none, or sends the header twice', () => {
    expect(correlationIdFrom(undefined)).toMatch(UUID);
    expect(correlationIdFrom(['a', 'b'])).toMatch(UUID);
    expect(correlationIdFrom(undefined)).not.toBe(correlationIdFrom(undefined));
  });

  it('uses the given id maker', () => expect(correlationIdFrom('bad id', () => 'fixed')).toBe('fixed'));
});

describe('correlation middleware', () => {
  let server: Server;
  beforeAll(() => {
    server = createServer((req, res) =>
      correlationMiddleware(req, res, () =>
        setTimeout(() => res.end(JSON.stringify({ seen: currentCorrelationId() ?? null })), 5),
      ),
    );
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('echoes a well-formed id and makes it current for the rest of the request', async () => {
    const response = await request(server).get('/').set(CORRELATION_HEADER, 'visit-7:check.2');
    expect(response.headers[CORRELATION_HEADER]).toBe('visit-7:check.2');
    expect(JSON.parse(response.text)).toEqual({ seen: 'visit-7:check.2' });
  });

  it('answers a missing or malformed id with a new one', async () => {
    for (const header of [undefined, 'no spaces please']) {
      const call = request(server).get('/');
      const response = await (header === undefined ? call : call.set(CORRELATION_HEADER, header));
      expect(response.headers[CORRELATION_HEADER]).toMatch(UUID);
      expect(JSON.parse(response.text)).toEqual({ seen: response.headers[CORRELATION_HEADER] });
    }
  });

  it('has no current id outside a request', () => {
    expect(currentCorrelationId()).toBeUndefined();
    expect(runWithCorrelationId('job-1', () => currentCorrelationId())).toBe('job-1');
  });
});
