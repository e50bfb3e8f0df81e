import { describe, expect, it } from '@jest/globals';
import {
  BadRequestException,
  ConflictException,
  HttpException,
  NotFoundException,
  ServiceUnavailableException,
  type ArgumentsHost,
} from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, IsString, Min, ValidateNested } from 'class-validator';
import {
  DomainRuleBroken,
  Forbidden,
  IdempotencyMismatch,
  InvalidEvent,
  NotFound,
  VersionConflict,
} from '#event-sourcing';
import { ProblemFilter, problemFor, problemType, ServiceUnavailable } from './problem.js';
import { createValidationPipe, ValidationFailed } from './validation.js';

describe('problem details for our named errors', () => {
  it.each([
    ['VersionConflict', 409, new VersionConflict('visit-1', '3', 5n), 'version-conflict'],
    ['IdempotencyMismatch', 409, new IdempotencyMismatch('partial re-append'), 'idempotency-mismatch'],
    [
      'DomainRuleBroken',
      422,
      new DomainRuleBroken('only a screened application can be approved'),
      'domain-rule-broken',
    ],
    ['NotFound', 404, new NotFound('no observer o-1'), 'not-found'],
    ['Forbidden', 403, new Forbidden('not a member of this mission'), 'forbidden'],
    ['InvalidEvent', 400, new InvalidEvent('events[0].type must be a non-empty name'), 'invalid-event'],
  ])('%s → %i', (_, status, error, name) => {
    const { problem, serverFault } = problemFor(error);
    expect(problem).toMatchObject({ type: problemType(name), status, detail: error.message });
    expect(serverFault).toBe(false);
  });
});

describe('problem details for HTTP exceptions', () => {
  it('keep the status and the message, typed about:blank with the status text as title', () => {
    expect(problemFor(new NotFoundException('Cannot GET /x')).problem).toEqual({
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      detail: 'Cannot GET /x',
    });
    expect(problemFor(new ConflictException()).problem).toEqual({
      type: 'about:blank',
      title: 'Conflict',
      status: 409,
    });
    expect(problemFor(new HttpException('slow down', 429)).problem).toMatchObject({
      status: 429,
      title: 'Too Many Requests',
    });
  });

  it('name a malformed body and one over the limit as such', () => {
    const malformed = new BadRequestException('Unexpected token', {
      cause: Object.assign(new SyntaxError('x'), { type: 'entity.parse.failed' }),
    });
    expect(problemFor(malformed).problem).toMatchObject({ type: problemType('malformed-json'), status: 400 });
    const tooLarge = new HttpException('request entity too large', 413, {
      cause: { type: 'entity.too.large', limit: 1024 },
    });
    expect(problemFor(tooLarge).problem).toMatchObject({
      status: 413,
      detail: 'The request body is larger than the limit of 1024 bytes.',
    });
  });

  it('count a 5xx exception as our fault', () => {
    expect(problemFor(new ServiceUnavailableException('store down')).serverFault).toBe(true);
  });

  it('name a part that cannot be reached now as such, not as our fault', () => {
    const { problem, serverFault } = problemFor(
      new ServiceUnavailable('The accreditation service is not reachable; try again in 2 s.', 2),
    );
    expect(problem).toEqual({
      type: problemType('service-unavailable'),
      title: 'Service unavailable',
      status: 503,
      detail: 'The accreditation service is not reachable; try again in 2 s.',
    });
    expect(serverFault).toBe(false);
  });
});

describe('anything else', () => {
  it('is a 500 that tells nothing of the internals', () => {
    const { problem, serverFault } = problemFor(
      new Error('connect ECONNREFUSED 10.0.0.7:5432 password=hunter2'),
    );
    expect(problem.status).toBe(500);
    expect(JSON.stringify(problem)).not.toMatch(/ECONNREFUSED|hunter2|10\.0\.0\.7/);
    expect(serverFault).toBe(true);
    expect(problemFor('a thrown string').problem.status).toBe(500);
  });
});

class Station {
  @IsString() code!: string;
}
class ReportIncident {
  @IsString() summary!: string;
  @IsInt() @Min(1) severity!: number;
  @ValidateNested() @Type(() => Station) station!: Station;
}

describe('the validation pipe', () => {
  const pipe = createValidationPipe();
  const validate = (body: unknown) => pipe.transform(body, { type: 'body', metatype: ReportIncident });

  it('gives back the DTO when the body is right', async () => {
    const dto = await validate({ summary: 'ballot box unsealed', severity: 2, station: { code: 'BSK-012' } });
    expect(dto).toBeInstanceOf(ReportIncident);
    expect(dto.station).toBeInstanceOf(Station);
  });

  it('names each offending field, nested ones by path, and refuses unknown ones', async () => {
    const refusal = await validate({ summary: 7, severity: 0, station: { code: 1 }, extra: true }).catch(
      (e: unknown) => e,
    );
    expect(refusal).toBeInstanceOf(ValidationFailed);
    const errors = (refusal as ValidationFailed).errors;
    expect(errors.map((e) => e.field).sort()).toEqual(['extra', 'severity', 'station.code', 'summary']);
    expect(errors).toContainEqual({ field: 'extra', message: 'property extra should not exist' });
    const { problem } = problemFor(refusal);
    expect(problem).toMatchObject({ type: problemType('validation'), status: 400, errors });
    expect(problem.detail).toMatch(/summary/);
  });
});

describe('a 503 that says when to try again', () => {
  it('answers Retry-After with the whole seconds of ServiceUnavailable', () => {
    const headers = new Map<string, unknown>();
    const response = {
      statusCode: 0,
      headersSent: false,
      body: '',
      getHeader: (name: string) => headers.get(name.toLowerCase()),
      setHeader: (name: string, value: unknown) => headers.set(name.toLowerCase(), value),
      end(body: string) {
        this.body = body;
      },
    };
    const host = {
      getType: () => 'http',
      switchToHttp: () => ({
        getRequest: () => ({ method: 'GET', url: '/api/v1/missions?limit=2' }),
        getResponse: () => response,
      }),
    } as unknown as ArgumentsHost;
    new ProblemFilter().catch(new ServiceUnavailable('The missions service is not reachable.', 4.2), host);
    expect(response.statusCode).toBe(503);
    expect(headers.get('retry-after')).toBe('5');
    expect(JSON.parse(response.body)).toMatchObject({
      status: 503,
      detail: 'The missions service is not reachable.',
      instance: '/api/v1/missions',
    });
  });
});
