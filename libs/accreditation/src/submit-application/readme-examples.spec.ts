/** The request bodies README's curl flow sends (examples/*.json) are ones the API accepts, every conflict-of-interest question answered. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { createValidationPipe } from '#platform';
import { CONFLICT_OF_INTEREST_QUESTIONS } from '../domain/eligibility.js';
import { SubmitApplicationBody } from './submit-application.http.js';

const example = (name: string): unknown =>
  JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', '..', '..', 'examples', name), 'utf8'));

describe('the example applications of README', () => {
  const pipe = createValidationPipe();

  it.each(['anna.json', 'kubat.json'])(
    '%s is a valid application that answers every question',
    async (name) => {
      const body = (await pipe.transform(example(name), {
        type: 'body',
        metatype: SubmitApplicationBody,
      })) as SubmitApplicationBody;
      expect(Object.keys(body.person.declarations.conflictsOfInterest).sort()).toEqual(
        [...CONFLICT_OF_INTEREST_QUESTIONS].sort(),
      );
    },
  );
});
