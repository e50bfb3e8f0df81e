import { describe, expect, it } from '@jest/globals';
import { MAX_BODY_DEPTH, StorableTextPipe, unstorableBody } from './storable-input.js';
import { ValidationFailed } from './validation.js';

/** A body whose `answers` hold `depth - 1` more levels: `depth` containers in all, the body included. */
const bodyOfDepth = (depth: number): unknown => {
  let value: unknown = 'yes';
  for (let i = 1; i < depth; i++) value = [value];
  return { answers: value };
};

const errorsOf = (body: unknown) => unstorableBody(body)?.errors;

const refusal = (run: () => unknown): ValidationFailed => {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationFailed) return error;
    throw error;
  }
  throw new Error('expected a refusal');
};

describe('the body check at the edge', () => {
  it(`takes a body nested ${MAX_BODY_DEPTH} levels and refuses ${MAX_BODY_DEPTH + 1}, naming the field`, () => {
    expect(unstorableBody(bodyOfDepth(MAX_BODY_DEPTH))).toBeUndefined();
    const refused = unstorableBody(bodyOfDepth(MAX_BODY_DEPTH + 1));
    expect(refused).toBeInstanceOf(ValidationFailed);
    expect(refused?.errors).toEqual([
      {
        field: ['answers', ...Array<number>(MAX_BODY_DEPTH - 1).fill(0)].join('.'),
        message: `is nested deeper than ${MAX_BODY_DEPTH} levels`,
      },
    ]);
  });

  it('refuses a body nested 10 000 deep without overflowing the stack', () =>
    expect(errorsOf(bodyOfDepth(10_000))?.[0].message).toBe(
      `is nested deeper than ${MAX_BODY_DEPTH} levels`,
    ));

  it('takes a valid surrogate pair (an emoji) and refuses a lone surrogate, by path', () => {
    expect(unstorableBody({ person: { names: { latin: { given: 'Anna 🗳️' } } } })).toBeUndefined();
    expect(errorsOf({ person: { contacts: [{ value: 'anna@example.org\ud83d' }] } })).toEqual([
      {
        field: 'person.contacts.0.value',
        message: 'contains a lone UTF-16 surrogate U+D83D (at 16)',
      },
    ]);
  });

  it('refuses a NUL in a value, and names a bad key escaped so the answer stays readable', () => {
    expect(errorsOf({ name: 'EOM\u0000' })).toEqual([
      { field: 'name', message: 'contains a NUL character (at 3)' },
    ]);
    expect(errorsOf({ declarations: { '\u0000judge': true } })).toEqual([
      { field: 'declarations.\\u0000judge', message: 'has a name that contains a NUL character (at 0)' },
    ]);
  });

  it('refuses a number too large for JSON to keep (1e400 parses as Infinity)', () =>
    expect(errorsOf(JSON.parse('{"rounds":1e400}'))).toEqual([
      { field: 'rounds', message: 'is a number too large to store' },
    ]));
});

describe('path parameters and query strings', () => {
  const pipe = new StorableTextPipe();

  it('refuses a NUL in a path parameter, naming the parameter', () =>
    expect(
      refusal(() => pipe.transform('app\u0000', { type: 'param', data: 'applicationId' })).errors,
    ).toEqual([{ field: 'applicationId', message: 'contains a NUL character (at 3)' }]));

  it('names the query field at fault', () =>
    expect(refusal(() => pipe.transform({ status: 'x\udc00' }, { type: 'query' })).errors).toEqual([
      { field: 'status', message: 'contains a lone UTF-16 surrogate U+DC00 (at 1)' },
    ]));

  it('leaves ordinary values, and bodies (checked before routing), as they are', () => {
    expect(pipe.transform('Кубат', { type: 'param', data: 'name' })).toBe('Кубат');
    expect(pipe.transform({ name: 'a\u0000' }, { type: 'body' })).toEqual({ name: 'a\u0000' });
  });
});
