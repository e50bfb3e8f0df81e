/**
 * The Idempotency-Key of every write, checked at the HTTP edge (standalone, and the gateway when
 * distributed) before anything runs: the same key with the same request gets the answer it got the
 * first time and writes nothing; with another request (another route, or another body) a 409
 * problem+json that says what differs. How a key and its answer stay true to the store across a
 * crash: idempotency-keys.ts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { INTERCEPTORS_METADATA } from '@nestjs/common/constants.js';
import { from, lastValueFrom, of, type Observable } from 'rxjs';
import { IdempotencyMismatch } from '#event-sourcing';
import { problemFor } from '#platform';
import type { AuthenticatedRequest } from '../auth.decorators.js';
import { idempotencyKeyOf } from '../write-context.js';
import type { IdempotencyKeys } from './idempotency-keys.js';
import { differenceOf, fingerprintOf } from './request-fingerprint.js';

export const IDEMPOTENCY_KEYS = Symbol('IdempotencyKeys');
export const REPLAYED_HEADER = 'idempotent-replayed';

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

type Request = IncomingMessage &
  AuthenticatedRequest & { originalUrl?: string; body?: unknown; file?: { buffer: Buffer } };

/** A replayed write answer says that this request appended nothing, as a retry the store recognised would. */
const replayed = (answer: unknown): unknown =>
  typeof answer === 'object' &&
  answer !== null &&
  typeof (answer as { appended?: unknown }).appended === 'boolean'
    ? { ...answer, appended: false }
    : answer;

@Injectable()
export class IdempotentWrites implements NestInterceptor {
  private readonly logger = new Logger('IdempotentWrites');

  /** Optional: a context process has the routes declared but serves no HTTP, and keeps no keys. */
  constructor(@Optional() @Inject(IDEMPOTENCY_KEYS) private readonly keys?: IdempotencyKeys) {}

  /** A route that reads an upload checks its key itself, after the upload is read (IdempotentUploads). */
  protected checksHere(context: ExecutionContext): boolean {
    const own = (Reflect.getMetadata(INTERCEPTORS_METADATA, context.getHandler()) ?? []) as unknown[];
    return !own.includes(IdempotentUploads);
  }

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    if (!this.keys || context.getType() !== 'http' || !this.checksHere(context)) return next.handle();
    const request = context.switchToHttp().getRequest<Request>();
    const key = idempotencyKeyOf(request);
    const caller = request.principal?.userId;
    if (key === undefined || caller === undefined || !WRITES.has(request.method ?? '')) return next.handle();

    const fingerprint = fingerprintOf(
      request.method!,
      request.originalUrl ?? request.url ?? '/',
      request.file?.buffer ?? request.body,
    );
    const claim = await this.keys.claim(caller, key, fingerprint);
    if (claim.kind === 'used')
      throw new IdempotencyMismatch(
        `Idempotency-Key ${key} belongs to another request: ${differenceOf(claim.first, fingerprint)}. Use a new key for a new request.`,
      );
    const response = context.switchToHttp().getResponse<ServerResponse>();
    if (claim.kind === 'answered') {
      response.statusCode = claim.status;
      response.setHeader(REPLAYED_HEADER, 'true');
      return of(replayed(claim.answer));
    }
    return from(this.run(caller, key, next, response));
  }

  private async run(
    caller: string,
    key: string,
    next: CallHandler,
    response: ServerResponse,
  ): Promise<unknown> {
    const keys = this.keys!;
    let answer: unknown;
    try {
      answer = await lastValueFrom(next.handle());
    } catch (error) {
      // Refused (4xx): nothing was written. Anything else (5xx, a context that did not answer) may
      // have written: the key stays pending, bound to this request.
      if (!problemFor(error).serverFault) await keys.release(caller, key);
      throw error;
    }
    try {
      await keys.answer(caller, key, response.statusCode, answer);
    } catch (error) {
      // The write is done and the key stays pending, as after a crash: a retry gets its answer from the store.
      this.logger.warn({ msg: 'the answer to an Idempotency-Key was not recorded', key, err: error });
    }
    return answer;
  }
}

/**
 * For a route that reads an upload in its own interceptors (multipart, a raw CSV): listed last in its
 * `@UseInterceptors`, so the key is checked against the file's bytes; the app-wide check leaves it alone.
 */
@Injectable()
export class IdempotentUploads extends IdempotentWrites {
  protected override checksHere(): boolean {
    return true;
  }
}
