/**
 * Every error leaves as application/problem+json (RFC 9457). Named domain errors map to their status here,
 * once; anything unknown is a 500 that says nothing of the internals and is logged in full.
 */
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import {
  DomainRuleBroken,
  Forbidden,
  IdempotencyMismatch,
  InvalidEvent,
  NotFound,
  VersionConflict,
} from '#event-sourcing';
import { CORRELATION_HEADER } from './correlation.js';
import { ValidationFailed, type FieldError } from './validation.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export type ProblemDetails = {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly instance?: string;
  readonly correlationId?: string;
  readonly errors?: readonly FieldError[];
};

/** Our problem types are URNs: stable names, not pages someone must keep online. */
export const problemType = (name: string): string => `urn:observa:problem:${name}`;

/**
 * A part this request needs (a context process, the token issuer) cannot be reached now: a 503 with
 * `Retry-After`, nothing wrong with the request and nothing wrong to log with a stack (whoever throws
 * it says once that the part is gone). A retry with the same Idempotency-Key is safe.
 */
export class ServiceUnavailable extends HttpException {
  constructor(
    detail: string,
    readonly retryAfterSeconds: number,
  ) {
    super(detail, 503);
  }
}

type ErrorClass = new (...args: never[]) => Error;

export type DomainError = {
  readonly type: ErrorClass;
  readonly status: number;
  /** Its problem type is `urn:observa:problem:<name>`; transports name it by this too. */
  readonly name: string;
  readonly title: string;
  /** The same error again from its detail, as a gateway throws what a context's process threw. */
  readonly again: (detail: string) => Error;
};

/** The domain's named errors, once: each with its HTTP status and problem type. */
export const DOMAIN_ERRORS = [
  {
    type: VersionConflict,
    status: 409,
    name: 'version-conflict',
    title: 'Version conflict',
    // Its constructor makes the message from the stream and versions; across a boundary only the message is left.
    again: (detail) =>
      Object.assign(Object.create(VersionConflict.prototype) as VersionConflict, {
        name: 'VersionConflict',
        message: detail,
      }),
  },
  {
    type: IdempotencyMismatch,
    status: 409,
    name: 'idempotency-mismatch',
    title: 'Idempotency mismatch',
    again: (detail) => new IdempotencyMismatch(detail),
  },
  {
    type: DomainRuleBroken,
    status: 422,
    name: 'domain-rule-broken',
    title: 'Domain rule broken',
    again: (detail) => new DomainRuleBroken(detail),
  },
  {
    type: NotFound,
    status: 404,
    name: 'not-found',
    title: 'Not found',
    again: (detail) => new NotFound(detail),
  },
  {
    type: Forbidden,
    status: 403,
    name: 'forbidden',
    title: 'Forbidden',
    again: (detail) => new Forbidden(detail),
  },
  {
    type: InvalidEvent,
    status: 400,
    name: 'invalid-event',
    title: 'Invalid event',
    again: (detail) => new InvalidEvent(detail),
  },
] as const satisfies readonly DomainError[];

export type DomainErrorName = (typeof DOMAIN_ERRORS)[number]['name'];

/** The domain's named errors, once: what crosses a process boundary by name is what maps to a status here. */
export const DOMAIN_ERROR_CLASSES: readonly ErrorClass[] = DOMAIN_ERRORS.map(({ type }) => type);

const plainProblem = (status: number, detail?: string): ProblemDetails => ({
  type: 'about:blank',
  title: STATUS_CODES[status] ?? 'Error',
  status,
  ...(detail !== undefined && { detail }),
});

/** What body-parser says, in words for the caller (its `type` tells what went wrong). */
const bodyProblem = (
  cause: { type?: unknown; limit?: unknown },
  status: number,
): ProblemDetails | undefined => {
  switch (cause.type) {
    case 'entity.parse.failed':
      return {
        type: problemType('malformed-json'),
        title: 'Malformed JSON',
        status: 400,
        detail: 'The request body is not valid JSON.',
      };
    case 'entity.too.large':
      return plainProblem(413, `The request body is larger than the limit of ${cause.limit} bytes.`);
    default:
      return typeof cause.type === 'string' && status < 500 ? plainProblem(status) : undefined;
  }
};

const httpProblem = (exception: HttpException): ProblemDetails => {
  const status = exception.getStatus();
  if (exception instanceof ValidationFailed)
    return {
      type: problemType('validation'),
      title: 'Invalid request',
      status,
      detail: `The request has invalid fields: ${[...new Set(exception.errors.map((e) => e.field))].join(', ')}.`,
      errors: exception.errors,
    };
  const cause = exception.cause;
  const fromBody = typeof cause === 'object' && cause !== null ? bodyProblem(cause, status) : undefined;
  if (fromBody) return fromBody;
  const response = exception.getResponse();
  const message = typeof response === 'string' ? response : (response as { message?: unknown }).message;
  const detail = Array.isArray(message)
    ? message.join('; ')
    : typeof message === 'string'
      ? message
      : undefined;
  return plainProblem(status, detail === STATUS_CODES[status] ? undefined : detail);
};

/** The answer for an error, and whether it is our fault (then it is logged with its stack). */
export const problemFor = (
  error: unknown,
): { readonly problem: ProblemDetails; readonly serverFault: boolean } => {
  if (error instanceof ServiceUnavailable)
    return {
      problem: {
        type: problemType('service-unavailable'),
        title: 'Service unavailable',
        status: 503,
        detail: error.message,
      },
      serverFault: false,
    };
  if (error instanceof HttpException) {
    const problem = httpProblem(error);
    return { problem, serverFault: problem.status >= 500 };
  }
  for (const { type, status, name, title } of DOMAIN_ERRORS)
    if (error instanceof type)
      return {
        problem: { type: problemType(name), title, status, detail: error.message },
        serverFault: false,
      };
  return {
    problem: plainProblem(
      500,
      'Something went wrong on our side. Quote the correlation id when reporting it.',
    ),
    serverFault: true,
  };
};

/** The path only: a query string may carry what does not belong in an error body or a log. */
const pathOf = (url: string | undefined): string => (url ?? '/').split('?')[0];

/** Installed globally for HTTP; errors of other transports (gRPC, Kafka) are left to their own filters. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const http = host.switchToHttp();
    const req = http.getRequest<IncomingMessage & { originalUrl?: string }>();
    const res = http.getResponse<ServerResponse>();
    const { problem: answer, serverFault } = problemFor(exception);
    // The id this response already carries (set by correlationMiddleware before anything could fail).
    const correlationId = res.getHeader(CORRELATION_HEADER);
    const problem: ProblemDetails = {
      ...answer,
      instance: pathOf(req.originalUrl ?? req.url),
      ...(typeof correlationId === 'string' && { correlationId }),
    };
    if (serverFault)
      this.logger.error({
        msg: `answered ${problem.status}`,
        err: exception,
        method: req.method,
        path: problem.instance,
      });
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.statusCode = problem.status;
    if (exception instanceof ServiceUnavailable)
      res.setHeader('Retry-After', String(Math.max(1, Math.ceil(exception.retryAfterSeconds))));
    res.setHeader('Content-Type', `${PROBLEM_CONTENT_TYPE}; charset=utf-8`);
    res.end(JSON.stringify(problem));
  }
}
