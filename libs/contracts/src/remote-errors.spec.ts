import { describe, expect, it } from '@jest/globals';
import { BadRequestException, HttpException, NotFoundException } from '@nestjs/common';
import {
  DomainRuleBroken,
  Forbidden,
  IdempotencyMismatch,
  InvalidEvent,
  NotFound,
  VersionConflict,
} from '#event-sourcing';
import { problemFor, ValidationFailed } from '#platform';
import { overTheWire } from './proto-round-trip.js';
import { errorOf, failureOf, registerRemoteErrors, RemoteInternalError } from './remote-errors.js';

/** What the gateway throws after the context's handler threw `error`. */
const acrossTheWire = (error: unknown): Error => {
  const reply = overTheWire.reply({ failure: failureOf(error) });
  return errorOf(reply.failure!);
};

class ScreeningFailed extends DomainRuleBroken {
  constructor(readonly failedRules: string[]) {
    super(`screening failed: ${failedRules.join(', ')}`);
  }
}
registerRemoteErrors(ScreeningFailed);

describe('errors across the wire', () => {
  it.each([
    new VersionConflict('mission-1', '3', 5n),
    new IdempotencyMismatch('command c-1 was already used for a different request'),
    new DomainRuleBroken('only a screened application can be approved'),
    new NotFound('no mission m-1'),
    new Forbidden('only the secretariat may do that'),
    new InvalidEvent('event data is not a JSON object'),
    new ValidationFailed([{ field: 'election.date', message: 'must be a date' }]),
    new BadRequestException('Idempotency-Key must be 1 to 200 visible ASCII characters'),
    new NotFoundException(),
    new HttpException('Too many failed logins: try again in 30 seconds.', 429),
  ])('%s comes back as the same class and the same problem', (error) => {
    const rebuilt = acrossTheWire(error);
    expect(rebuilt).toBeInstanceOf(error instanceof HttpException ? HttpException : error.constructor);
    expect(rebuilt.message).toBe(error.message);
    expect(problemFor(rebuilt)).toEqual(problemFor(error));
  });

  it('keeps the fields of a VersionConflict, bigint and all', () => {
    const rebuilt = acrossTheWire(new VersionConflict('mission-1', '3', 5n)) as VersionConflict;
    expect(rebuilt).toBeInstanceOf(VersionConflict);
    expect(rebuilt).toMatchObject({
      name: 'VersionConflict',
      streamId: 'mission-1',
      expected: '3',
      actual: 5n,
    });
  });

  it('keeps a ValidationFailed with its fields named', () => {
    const rebuilt = acrossTheWire(new ValidationFailed([{ field: 'name', message: 'must not be empty' }]));
    expect(rebuilt).toBeInstanceOf(ValidationFailed);
    expect((rebuilt as ValidationFailed).errors).toEqual([{ field: 'name', message: 'must not be empty' }]);
  });

  it("keeps a context's own registered error class with its fields", () => {
    const rebuilt = acrossTheWire(new ScreeningFailed(['judge', 'party member']));
    expect(rebuilt).toBeInstanceOf(ScreeningFailed);
    expect(rebuilt).toBeInstanceOf(DomainRuleBroken);
    expect(rebuilt).toMatchObject({
      message: 'screening failed: judge, party member',
      failedRules: ['judge', 'party member'],
    });
  });

  it('sends an unregistered subclass of a named error as the named error', () => {
    class StationClosed extends NotFound {
      readonly stationCode = 'KG-0101';
    }
    const rebuilt = acrossTheWire(new StationClosed('station KG-0101 is closed'));
    expect(rebuilt).toBeInstanceOf(NotFound);
    expect(problemFor(rebuilt).problem.status).toBe(404);
  });

  it('answers anything unnamed with the generic 500, whatever it said', () => {
    const rebuilt = acrossTheWire(new TypeError("Cannot read properties of undefined (reading 'id')"));
    expect(rebuilt).toBeInstanceOf(RemoteInternalError);
    expect(problemFor(rebuilt)).toEqual(problemFor(new Error('anything')));
    expect(problemFor(rebuilt).problem.detail).not.toContain('undefined');
  });
});

describe("a context's own errors", () => {
  /** As accreditation's InvalidRuleSet: extends Error only, a constructor that needs more than a message. */
  class RulesBroken extends Error {
    override readonly name = 'RulesBroken';
    constructor(readonly problems: readonly { at: string; problem: string }[]) {
      super(`problems: ${problems.map((p) => p.at).join(', ')}`);
    }
  }
  class BadgeTakenBase extends Error {}
  class BadgeTaken extends BadgeTakenBase {
    override readonly name = 'BadgeTaken';
  }

  it('travel as a 500 until registered, then as the same class with their fields', () => {
    const error = new RulesBroken([{ at: 'rules[0]', problem: 'unknown kind' }]);
    expect(acrossTheWire(error)).toBeInstanceOf(RemoteInternalError);
    registerRemoteErrors(RulesBroken);
    const rebuilt = acrossTheWire(error);
    expect(rebuilt).toBeInstanceOf(RulesBroken);
    expect((rebuilt as RulesBroken).problems).toEqual(error.problems);
    expect(rebuilt.message).toBe(error.message);
  });

  it('keep a subclass when registered together with its base, in any order', () => {
    registerRemoteErrors(BadgeTaken, BadgeTakenBase);
    expect(acrossTheWire(new BadgeTaken('KG-1 is taken'))).toBeInstanceOf(BadgeTaken);
  });
});
