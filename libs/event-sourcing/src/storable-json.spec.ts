import { describe, expect, it } from '@jest/globals';
import { findUnstorableJson, textProblem } from './storable-json.js';

/** `[[[…]]]` with `depth` arrays, built without recursion so the spec itself cannot overflow. */
const nested = (depth: number, inner: unknown = 'x'): unknown => {
  let value = inner;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
};

describe('what Postgres can hold of a text', () => {
  it.each([
    ['plain text', 'Anna Schmidtbauer'],
    ['Cyrillic', 'Кубат Осмонов'],
    ['an emoji (a surrogate pair)', 'observer 🗳️ at station 12'],
    ['the empty text', ''],
  ])('takes %s', (_what, text) => expect(textProblem(text)).toBeUndefined());

  it.each([
    ['a NUL character', 'Anna\u0000', /NUL character \(at 4\)/],
    ['a lone high surrogate', 'a\ud800', /lone UTF-16 surrogate U\+D800 \(at 1\)/],
    ['a lone low surrogate', '\udc00b', /lone UTF-16 surrogate U\+DC00 \(at 0\)/],
    ['a pair in the wrong order', '\udc00\ud800', /lone UTF-16 surrogate U\+DC00/],
    ['half of an emoji', '🗳️'.slice(1), /lone UTF-16 surrogate U\+DDF3/],
  ])('refuses %s, saying where it is', (_what, text, problem) => expect(textProblem(text)).toMatch(problem));
});

describe('finding what storage cannot hold in a JSON value', () => {
  it('finds nothing wrong with an ordinary value', () =>
    expect(
      findUnstorableJson({ person: { names: ['Анна', '🗳️'], age: 43, ok: true, none: null } }, 8),
    ).toBeUndefined());

  it('takes exactly `maxDepth` levels of nesting and refuses one more, naming where', () => {
    expect(findUnstorableJson(nested(8), 8)).toBeUndefined();
    expect(findUnstorableJson({ a: nested(7) }, 8)).toBeUndefined();
    expect(findUnstorableJson(nested(9), 8)).toEqual({
      path: [0, 0, 0, 0, 0, 0, 0, 0],
      problem: 'is nested deeper than 8 levels',
    });
    expect(findUnstorableJson({ a: { b: nested(7) } }, 8)?.path).toEqual(['a', 'b', 0, 0, 0, 0, 0, 0]);
  });

  it('stops at the bound on a value nested 100 000 deep instead of overflowing the stack', () =>
    expect(findUnstorableJson(nested(100_000), 32)?.problem).toBe('is nested deeper than 32 levels'));

  it('names the value and the key that hold bad text', () => {
    expect(findUnstorableJson({ contacts: [{ value: 'ok' }, { value: '\ud800' }] }, 8)).toEqual({
      path: ['contacts', 1, 'value'],
      problem: expect.stringContaining('lone UTF-16 surrogate U+D800'),
    });
    expect(findUnstorableJson({ declarations: { 'judge\u0000': true } }, 8)).toEqual({
      path: ['declarations', 'judge\u0000'],
      problem: expect.stringMatching(/^has a name that contains a NUL character/),
    });
  });

  it('refuses a number JSON.parse made infinite', () =>
    expect(findUnstorableJson(JSON.parse('{"version":1e400}'), 8)).toEqual({
      path: ['version'],
      problem: 'is a number too large to store',
    }));
});
