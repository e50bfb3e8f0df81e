import { describe, expect, it } from '@jest/globals';
import { countView } from './convergence.js';

describe('counting a view against the acknowledged writes', () => {
  const acknowledged = new Set(['a', 'b', 'c']);

  it('finds nothing lost or doubled when the view holds each acknowledged write once', () => {
    expect(countView('list', 'application', acknowledged, ['c', 'a', 'b'])).toMatchObject({
      expected: 3,
      found: 3,
      lost: 0,
      doubled: 0,
    });
  });

  it('counts a missing write as lost, and a repeated id or a row no write accounts for as doubled', () => {
    expect(countView('list', 'application', acknowledged, ['a', 'a', 'b', 'x'])).toMatchObject({
      found: 3,
      lost: 1,
      doubled: 2,
    });
  });
});
