import { describe, expect, it } from '@jest/globals';
import { fromWireJson, toWireJson, UnencodableValue } from './wire-json.js';

const roundTrip = (value: unknown): unknown => fromWireJson(toWireJson(value));

describe('wire JSON', () => {
  it('brings bigint, Date, Map and Set back as themselves, at any depth', () => {
    const value = {
      streamVersion: 12n,
      at: new Date('2023-11-30T08:00:00.000Z'),
      roles: new Map([['mission-1', new Set(['secretariat', 'observer'])]]),
      nested: [{ big: -3n, when: [new Date(0)] }],
      plain: { text: 'Бишкек', n: 1.5, yes: true, none: null },
    };
    expect(roundTrip(value)).toEqual(value);
  });

  it('brings a top-level bigint back', () => {
    expect(roundTrip(9007199254740993n)).toBe(9007199254740993n);
  });

  it('sends undefined as nothing and reads nothing as undefined', () => {
    expect(toWireJson(undefined)).toBe('');
    expect(fromWireJson('')).toBeUndefined();
  });

  it('turns class instances into their fields', () => {
    class Reply {
      constructor(readonly id: string) {}
      shout() {
        return this.id.toUpperCase();
      }
    }
    expect(roundTrip(new Reply('a'))).toEqual({ id: 'a' });
  });

  it('refuses an object that would read as a tagged value on arrival', () => {
    expect(() => toWireJson({ data: { $wire: 'bigint', value: '1' } })).toThrow(UnencodableValue);
  });
});
