import { describe, expect, it } from '@jest/globals';
import { differenceOf, fingerprintOf } from './request-fingerprint.js';

describe('the fingerprint of a request', () => {
  const path = '/api/v1/missions/m-1/applications';

  it('is the same for the same JSON however its keys are ordered or spaced', () => {
    expect(fingerprintOf('post', path, { a: 1, b: { c: [1, 2] } })).toEqual(
      fingerprintOf('POST', `${path}?ignored=1`, JSON.parse('{ "b": {"c":[1,2]}, "a": 1 }')),
    );
  });

  it('names the route when the key was used on another one, and the body when only that differs', () => {
    const first = fingerprintOf('POST', path, { role: 'LTO' });
    expect(
      differenceOf(first, fingerprintOf('POST', '/api/v1/missions/m-2/applications', { role: 'LTO' })),
    ).toBe(`it was first used for POST ${path}, not POST /api/v1/missions/m-2/applications`);
    expect(differenceOf(first, fingerprintOf('POST', path, { role: 'STO' }))).toBe(
      `it was first used for POST ${path} with another body`,
    );
    expect(differenceOf(first, fingerprintOf('POST', path, { role: 'LTO' }))).toBeNull();
  });

  it('reads an uploaded file by its bytes: one changed byte is another request', () => {
    const file = Buffer.from('given_name,family_name\nJana,Novakova\n');
    const changed = Buffer.from('given_name,family_name\nJana,Novakovb\n');
    expect(fingerprintOf('POST', path, file)).toEqual(fingerprintOf('POST', path, Buffer.from(file)));
    expect(fingerprintOf('POST', path, file).body).not.toBe(fingerprintOf('POST', path, changed).body);
  });
});
