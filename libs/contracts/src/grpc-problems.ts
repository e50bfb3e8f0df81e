/**
 * Errors of a context's typed rpcs (STYLE.md: errors are values with names, mapped to HTTP once, at the
 * edge). The context answers a named error as a gRPC status (its code says it in gRPC's words) with an
 * observa.common.v1.Problem in the details of the google.rpc.Status of the `grpc-status-details-bin`
 * trailer, both encoded by the code generated from proto/. The gateway reads the Problem back into the
 * same error class, so its ProblemFilter answers the same problem+json as a standalone process.
 * Anything unnamed is our fault: an INTERNAL status without details, logged with its stack where it
 * happened; the gateway answers the generic 500.
 */
import {
  Catch,
  ConflictException,
  Logger,
  type ArgumentsHost,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
  type RpcExceptionFilter,
} from '@nestjs/common';
import { Metadata, status as Code } from '@grpc/grpc-js';
import { Observable, tap, throwError } from 'rxjs';
import { DOMAIN_ERRORS, runWithCorrelationId, ValidationFailed, type DomainErrorName } from '#platform';
import { Problem, ProblemKind } from '#proto/observa/common/v1/calls';
import { Status } from '#proto/google/rpc/status';

export const STATUS_DETAILS_KEY = 'grpc-status-details-bin';
const PROBLEM_TYPE_URL = 'type.googleapis.com/observa.common.v1.Problem';

type Named = {
  readonly kind: ProblemKind;
  readonly code: Code;
  readonly is: (error: unknown) => boolean;
  readonly rebuild: (problem: Problem) => Error;
};

/** How each of the domain's named errors (DOMAIN_ERRORS) goes over gRPC: its Problem kind and status code. */
const OVER_GRPC: { readonly [name in DomainErrorName]: { readonly kind: ProblemKind; readonly code: Code } } =
  {
    'version-conflict': { kind: ProblemKind.PROBLEM_KIND_VERSION_CONFLICT, code: Code.ABORTED },
    'idempotency-mismatch': {
      kind: ProblemKind.PROBLEM_KIND_IDEMPOTENCY_MISMATCH,
      code: Code.ALREADY_EXISTS,
    },
    'domain-rule-broken': {
      kind: ProblemKind.PROBLEM_KIND_DOMAIN_RULE_BROKEN,
      code: Code.FAILED_PRECONDITION,
    },
    'not-found': { kind: ProblemKind.PROBLEM_KIND_NOT_FOUND, code: Code.NOT_FOUND },
    forbidden: { kind: ProblemKind.PROBLEM_KIND_FORBIDDEN, code: Code.PERMISSION_DENIED },
    'invalid-event': { kind: ProblemKind.PROBLEM_KIND_INVALID_EVENT, code: Code.INVALID_ARGUMENT },
  };

/** Each named error, its Problem kind and its gRPC status code; the first that matches wins. */
const NAMED: readonly Named[] = [
  {
    kind: ProblemKind.PROBLEM_KIND_VALIDATION,
    code: Code.INVALID_ARGUMENT,
    is: (error) => error instanceof ValidationFailed,
    rebuild: (problem) =>
      new ValidationFailed(problem.errors.map(({ field, message }) => ({ field, message }))),
  },
  ...DOMAIN_ERRORS.map(({ type, name, again }) => ({
    ...OVER_GRPC[name],
    is: (error: unknown) => error instanceof type,
    rebuild: (problem: Problem) => again(problem.detail),
  })),
  {
    kind: ProblemKind.PROBLEM_KIND_CONFLICT,
    code: Code.ALREADY_EXISTS,
    is: (error) => error instanceof ConflictException,
    rebuild: (problem) => new ConflictException(problem.detail),
  },
];

/** What grpc-js sends for an error a handler throws: a status code, its text, and trailers. */
export type StatusError = { readonly code: Code; readonly details: string; readonly metadata: Metadata };

/** The gRPC status for what a use case threw, or undefined when it is not a named error. */
export const statusOf = (error: unknown): StatusError | undefined => {
  const named = NAMED.find((candidate) => candidate.is(error));
  if (!named || !(error instanceof Error)) return undefined;
  const problem: Problem = {
    kind: named.kind,
    detail: error.message,
    errors: error instanceof ValidationFailed ? error.errors.map((e) => ({ ...e })) : [],
  };
  const details = Status.encode({
    code: named.code,
    message: error.message,
    details: [{ typeUrl: PROBLEM_TYPE_URL, value: Problem.encode(problem).finish() }],
  }).finish();
  const metadata = new Metadata();
  metadata.set(STATUS_DETAILS_KEY, Buffer.from(details));
  return { code: named.code, details: error.message, metadata };
};

/** The Problem in a failed call's trailers, if the context sent one. */
export const problemOf = (error: { metadata?: unknown }): Problem | undefined => {
  if (!(error.metadata instanceof Metadata)) return undefined;
  const [bytes] = error.metadata.get(STATUS_DETAILS_KEY);
  if (!(bytes instanceof Buffer)) return undefined;
  const detail = Status.decode(bytes).details.find((any) => any.typeUrl === PROBLEM_TYPE_URL);
  return detail && Problem.decode(detail.value);
};

/** The named error a Problem stands for (undefined for a kind this gateway does not know). */
export const errorOfProblem = (problem: Problem): Error | undefined =>
  NAMED.find((named) => named.kind === problem.kind)?.rebuild(problem);

/** On a context's gRPC controllers: named errors as statuses with their Problem, the rest as INTERNAL. */
@Catch()
export class GrpcProblemFilter implements RpcExceptionFilter<unknown> {
  private readonly logger = new Logger('GrpcProblemFilter');

  catch(exception: unknown, host: ArgumentsHost): Observable<never> {
    const named = statusOf(exception);
    if (named) return throwError(() => named);
    const call = host.switchToRpc().getContext<{ getPath?: () => string } | undefined>();
    this.logger.error({ msg: `${call?.getPath?.() ?? 'gRPC call'} failed`, err: exception });
    const answer: StatusError = { code: Code.INTERNAL, details: 'internal error', metadata: new Metadata() };
    return throwError(() => answer);
  }
}

/**
 * On a context's gRPC controllers: the call runs under the correlation id its request's context
 * carries, and is logged once answered (rpc, outcome, milliseconds), as the gateway logs one line per
 * request: the correlation id ties the two.
 */
export class GrpcCorrelation implements NestInterceptor {
  private readonly logger = new Logger('GrpcCall');

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToRpc().getData<{ context?: { correlationId?: string } } | undefined>();
    const correlationId = request?.context?.correlationId;
    const rpc = `${context.getClass().name}.${context.getHandler().name}`;
    const started = process.hrtime.bigint();
    const answered = (outcome: string) =>
      this.logger.log({
        msg: 'call answered',
        rpc,
        outcome,
        durationMs: Math.round(Number(process.hrtime.bigint() - started) / 1e5) / 10,
        ...(correlationId && { correlationId }),
      });
    const call = next.handle().pipe(
      tap({
        complete: () => answered('ok'),
        error: (error: unknown) => answered(error instanceof Error ? error.name : 'error'),
      }),
    );
    if (!correlationId) return call;
    return new Observable((subscriber) =>
      runWithCorrelationId(correlationId, () => call.subscribe(subscriber)),
    );
  }
}
