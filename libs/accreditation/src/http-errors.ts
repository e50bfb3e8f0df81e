/** The context's own named errors as HTTP answers; the platform's filter maps the shared ones (DomainRuleBroken, NotFound, …). */
import { ConflictException } from '@nestjs/common';
import { ValidationFailed } from '#platform';
import { BadgeNumberTaken } from './domain/badge.js';
import { InvalidRuleSet } from './publish-rule-set/publish-rule-set.js';

export const httpErrorOf = (error: unknown): unknown => {
  if (error instanceof InvalidRuleSet)
    return new ValidationFailed(
      error.problems.map((p) => ({ field: p.at || 'ruleSet', message: p.problem })),
    );
  if (error instanceof BadgeNumberTaken) return new ConflictException(error.message);
  return error;
};

/** Runs a bus call and rethrows what it refused in HTTP's terms. */
export const overHttp = async <T>(call: Promise<T>): Promise<T> => {
  try {
    return await call;
  } catch (error) {
    throw httpErrorOf(error);
  }
};
