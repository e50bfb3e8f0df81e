/**
 * How the OpenAPI document describes the errors of an operation: each status it can answer, as
 * application/problem+json with ONE shared `Problem` schema (what ProblemFilter really sends).
 */
import { applyDecorators } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE, problemType } from './problem.js';

export class FieldProblem {
  @ApiProperty({ example: 'person.nationality', description: 'the field at fault, by path' })
  readonly field!: string;
  @ApiProperty({ example: 'nationality must be an ISO 3166 alpha-2 code' })
  readonly message!: string;
}

export class Problem {
  @ApiProperty({
    example: problemType('validation'),
    description: 'urn:observa:problem:<name> for our named problems; about:blank when the status says it all',
  })
  readonly type!: string;
  @ApiProperty({ example: 'Invalid request' }) readonly title!: string;
  @ApiProperty({ type: 'integer', example: 400 }) readonly status!: number;
  @ApiPropertyOptional({ example: 'The request has invalid fields: person.nationality.' })
  readonly detail?: string;
  @ApiPropertyOptional({ example: '/api/v1/missions/0b0c…/applications', description: 'the path, no query' })
  readonly instance?: string;
  @ApiPropertyOptional({ description: 'quote it when reporting a problem; also the X-Correlation-Id header' })
  readonly correlationId?: string;
  @ApiPropertyOptional({
    type: [FieldProblem],
    description: 'the validation problem only: every field at fault',
  })
  readonly errors?: FieldProblem[];
}

export type ProblemStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 500 | 503 | 504;

const instance = '/api/v1/missions/5f0c2d1e-8a43-4b7e-9a51-2f8d3c6b1a90/applications';
const correlationId = '8d2e1c47-3b5a-4f60-9e2d-7a1b0c9f4e21';

/** What each status means here, and an answer as the tests see it. */
const STATUSES: Record<ProblemStatus, { readonly description: string; readonly example: object }> = {
  400: {
    description:
      'Malformed JSON, a field that breaks its rules (each named in `errors`), or a bad parameter.',
    example: {
      type: problemType('validation'),
      title: 'Invalid request',
      status: 400,
      detail: 'The request has invalid fields: delegation.',
      instance,
      correlationId,
      errors: [{ field: 'delegation', message: 'delegation must be an ISO 3166 alpha-2 code' }],
    },
  },
  401: {
    description:
      'No valid access token: missing, expired, forged, or its account disabled (see WWW-Authenticate).',
    example: {
      type: 'about:blank',
      title: 'Unauthorized',
      status: 401,
      detail: 'This needs a Bearer access token in the Authorization header.',
      instance,
      correlationId,
    },
  },
  403: {
    description: 'The caller is on the mission (or signed in) but their role does not allow this.',
    example: {
      type: problemType('forbidden'),
      title: 'Forbidden',
      status: 403,
      detail: 'this needs one of the mission roles secretariat, head_of_mission',
      instance,
      correlationId,
    },
  },
  404: {
    description: 'No such resource, or a mission the caller holds no role in (as if it did not exist).',
    example: {
      type: problemType('not-found'),
      title: 'Not found',
      status: 404,
      detail: 'there is no mission 5f0c2d1e-8a43-4b7e-9a51-2f8d3c6b1a90',
      instance,
      correlationId,
    },
  },
  409: {
    description:
      'A conflict: the Idempotency-Key was used for another request, a concurrent write won, or the value is taken.',
    example: {
      type: problemType('idempotency-mismatch'),
      title: 'Idempotency mismatch',
      status: 409,
      detail: 'the Idempotency-Key open-kg-2023 was used for another request (the body differs)',
      instance,
      correlationId,
    },
  },
  413: {
    description:
      'The request body is larger than the limit (OBSERVA_BODY_LIMIT; 10 MiB for an imported file).',
    example: {
      type: 'about:blank',
      title: 'Payload Too Large',
      status: 413,
      detail: 'The request body is larger than the limit of 1048576 bytes.',
      instance,
      correlationId,
    },
  },
  415: {
    description: 'The body is not in a format this operation takes.',
    example: {
      type: 'about:blank',
      title: 'Unsupported Media Type',
      status: 415,
      detail: 'send a CSV (text/csv) or XLSX file, as the body or as the multipart field "file"',
      instance: `${instance}/import`,
      correlationId,
    },
  },
  422: {
    description: 'A rule of the domain refuses it in the current state (the detail says which).',
    example: {
      type: problemType('domain-rule-broken'),
      title: 'Domain rule broken',
      status: 422,
      detail: 'only an application that passed screening can be approved',
      instance: `${instance}/6a1f…/approve`,
      correlationId,
    },
  },
  429: {
    description: 'Too many failed logins: try again after Retry-After seconds.',
    example: {
      type: 'about:blank',
      title: 'Too Many Requests',
      status: 429,
      detail: 'Too many failed logins: try again in 60 seconds.',
      instance: '/api/v1/auth/token',
      correlationId,
    },
  },
  500: {
    description: 'Something went wrong on our side; quote the correlation id when reporting it.',
    example: {
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      detail: 'Something went wrong on our side. Quote the correlation id when reporting it.',
      instance,
      correlationId,
    },
  },
  503: {
    description:
      'A service this needs (the token issuer, a context process) cannot be reached; try again shortly.',
    example: {
      type: 'about:blank',
      title: 'Service Unavailable',
      status: 503,
      detail: 'The token issuer cannot be reached; try again shortly.',
      instance,
      correlationId,
    },
  },
  504: {
    description:
      'Distributed mode: the context process that does this did not answer in time; retry with the same Idempotency-Key.',
    example: {
      type: 'about:blank',
      title: 'Gateway Timeout',
      status: 504,
      detail:
        'The accreditation service did not answer within 5000 ms; retrying with the same Idempotency-Key is safe.',
      instance,
      correlationId,
    },
  },
};

/** One status as problem+json, with a description of what it means on this operation. */
export const ApiProblem = (status: ProblemStatus, description = STATUSES[status].description) =>
  applyDecorators(
    ApiExtraModels(Problem),
    ApiResponse({
      status,
      description,
      content: {
        [PROBLEM_CONTENT_TYPE]: {
          schema: { $ref: getSchemaPath(Problem) },
          example: STATUSES[status].example,
        },
      },
    }),
  );

/** Each status as problem+json: `@ApiProblems(400, 401, 403, 404)` on a method or a whole controller. */
export const ApiProblems = (...statuses: ProblemStatus[]) =>
  applyDecorators(...statuses.map((status) => ApiProblem(status)));

/** Operations only the bearer of an access token may call: what the guard can answer before the route runs. */
export const BEARER_PROBLEMS: readonly ProblemStatus[] = [400, 401, 500, 503, 504];
