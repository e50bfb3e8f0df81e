/**
 * The correlation id of each request: the caller's `x-correlation-id` when well formed, else a new UUID.
 * It is echoed on the response and readable anywhere down the request (logs, event metadata)
 * through AsyncLocalStorage.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export const CORRELATION_HEADER = 'x-correlation-id';

export type RequestContext = { readonly correlationId: string };

/** Connect-style middleware, as Express and Nest's `app.use` take it. */
export type Middleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

const WELL_FORMED = /^[A-Za-z0-9._:-]{1,128}$/;

const storage = new AsyncLocalStorage<RequestContext>();

export const isWellFormedCorrelationId = (value: unknown): value is string =>
  typeof value === 'string' && WELL_FORMED.test(value);

/** The id to use for a request whose header is `header` (Node joins repeated headers, which then fail the check). */
export const correlationIdFrom = (
  header: string | string[] | undefined,
  newId: () => string = randomUUID,
): string => (isWellFormedCorrelationId(header) ? header : newId());

/** The correlation id of the request being served, if any. */
export const currentCorrelationId = (): string | undefined => storage.getStore()?.correlationId;

/** Runs `fn` as part of the work of the given correlation id (a consumer handling a message, a test). */
export const runWithCorrelationId = <T>(correlationId: string, fn: () => T): T =>
  storage.run({ correlationId }, fn);

/**
 * Runs first, before the body is read, so that even an unreadable body is answered with the id.
 * Registered with `app.use`, not as a Nest middleware: those run only after body parsing.
 * The context lasts through body parsing: raw-body binds its callback to it (http-app.spec checks this).
 */
export const correlationMiddleware: Middleware = (req, res, next) => {
  const correlationId = correlationIdFrom(req.headers[CORRELATION_HEADER]);
  res.setHeader(CORRELATION_HEADER, correlationId);
  storage.run({ correlationId }, next);
};
