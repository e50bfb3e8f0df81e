import { describe, expect, it } from '@jest/globals';
import { status as Code } from '@grpc/grpc-js';
import {
  DomainRuleBroken,
  Forbidden,
  IdempotencyMismatch,
  InvalidEvent,
  NotFound,
  VersionConflict,
} from '#event-sourcing';
import { ValidationFailed } from '#platform';
import { ProblemKind } from '#proto/observa/common/v1/calls';
import { errorOfProblem, problemOf, statusOf } from './grpc-problems.js';

describe('named errors over gRPC', () => {
  it.each([
    {
      error: new VersionConflict('mission-1', '3', 5n),
      code: Code.ABORTED,
      kind: ProblemKind.PROBLEM_KIND_VERSION_CONFLICT,
    },
    {
      error: new IdempotencyMismatch('partial re-append'),
      code: Code.ALREADY_EXISTS,
      kind: ProblemKind.PROBLEM_KIND_IDEMPOTENCY_MISMATCH,
    },
    {
      error: new DomainRuleBroken('the mission is closed'),
      code: Code.FAILED_PRECONDITION,
      kind: ProblemKind.PROBLEM_KIND_DOMAIN_RULE_BROKEN,
    },
    { error: new NotFound('no mission m-1'), code: Code.NOT_FOUND, kind: ProblemKind.PROBLEM_KIND_NOT_FOUND },
    {
      error: new Forbidden('not on the staff'),
      code: Code.PERMISSION_DENIED,
      kind: ProblemKind.PROBLEM_KIND_FORBIDDEN,
    },
    {
      error: new InvalidEvent('empty type'),
      code: Code.INVALID_ARGUMENT,
      kind: ProblemKind.PROBLEM_KIND_INVALID_EVENT,
    },
    {
      error: new ValidationFailed([{ field: 'country', message: 'must be an alpha-2 code' }]),
      code: Code.INVALID_ARGUMENT,
      kind: ProblemKind.PROBLEM_KIND_VALIDATION,
    },
  ])(
    '$error.name: its status code and Problem, and the same class again on the other side',
    ({ error, code, kind }) => {
      const status = statusOf(error);
      expect(status?.code).toBe(code);
      const problem = problemOf({ metadata: status?.metadata });
      expect(problem?.kind).toBe(kind);
      const again = errorOfProblem(problem!);
      expect(again).toBeInstanceOf(error.constructor);
      expect(again?.message).toBe(error.message);
      expect(again?.name).toBe(error.name);
    },
  );

  it('leaves an unnamed error unnamed', () => expect(statusOf(new Error('bug'))).toBeUndefined());
});
