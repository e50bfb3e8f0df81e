import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { InvalidEvent } from './errors.js';
import { canonicalJson, contentHash, MAX_CANONICAL_DEPTH } from './hash-chain.js';
import type { NewEvent } from './envelope.js';
import { prepareForStore } from './new-event.js';
import { MAX_JSON_DEPTH } from './storable-json.js';

/** An event whose data is `data`, as a command would append it. */
const eventWith = (data: Record<string, unknown>): NewEvent => ({
  eventId: randomUUID(),
  type: 'ApplicationSubmitted',
  schemaVersion: 1,
  data: data as NewEvent['data'],
  metadata: { occurredAt: '2023-11-30T07:00:00Z' },
});

/** `{a:{a:…{}}}`: `depth` objects, the outermost included, built without recursion. */
const nestedObject = (depth: number): Record<string, unknown> => {
  let value: Record<string, unknown> = {};
  for (let i = 1; i < depth; i++) value = { a: value };
  return value;
};

const refusal = (run: () => unknown): unknown => {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a refusal');
};

describe('preparing events for the store', () => {
  it('hashes exactly what the chain verifier recomputes from the event read back', () => {
    const event = {
      eventId: randomUUID().toUpperCase(),
      type: 'IncidentReported',
      schemaVersion: 3,
      data: {
        z: [1, { b: 'урна', a: null }],
        a: true,
        skipped: undefined,
        n: 1.25e-7,
      } as unknown as NewEvent['data'],
      metadata: {
        occurredAt: '2023-11-30T07:00:00Z',
        actor: { userId: 'u', role: 'observer' },
        missionId: undefined,
      },
    };
    const [prepared] = prepareForStore('incident-1', [event]);
    expect(prepared.eventId).toBe(event.eventId.toLowerCase());
    expect(JSON.parse(prepared.dataJson)).toEqual({ z: [1, { b: 'урна', a: null }], a: true, n: 1.25e-7 });
    expect(prepared.dataJson).toBe('{"a":true,"n":1.25e-7,"z":[1,{"a":null,"b":"урна"}]}');
    // What a verifier computes from the stored event, whose jsonb may come back in any key order:
    const readBack = {
      ...event,
      eventId: prepared.eventId,
      streamId: 'incident-1',
      data: JSON.parse(prepared.dataJson),
      metadata: JSON.parse(prepared.metadataJson),
    };
    expect(prepared.contentHash).toBe(contentHash(readBack));
  });
});

describe('what the store refuses to hold', () => {
  it('takes an emoji, a valid surrogate pair, and hashes it as written', () => {
    const [prepared] = prepareForStore('person-1', [eventWith({ note: 'prefers 🗳️ by post' })]);
    expect(JSON.parse(prepared.dataJson)).toEqual({ note: 'prefers 🗳️ by post' });
  });

  it.each([
    ['a lone surrogate in a value', { contact: '\ud800' }, /data\.contact contains a lone UTF-16 surrogate/],
    ['a lone surrogate in a key', { '\udc00': 1 }, /data key "\\udc00" contains a lone UTF-16 surrogate/],
    ['a NUL in a key', { 'a\u0000': 1 }, /contains a NUL character/],
    ['a NUL in a value', { name: 'Anna\u0000' }, /data\.name contains a NUL character/],
  ])('refuses %s, by name', (_what, data, message) => {
    const error = refusal(() => prepareForStore('person-1', [eventWith(data)]));
    expect(error).toBeInstanceOf(InvalidEvent);
    expect((error as Error).message).toMatch(message);
  });

  it(`takes data nested ${MAX_JSON_DEPTH} levels and refuses one more with InvalidEvent`, () => {
    const [prepared] = prepareForStore('s-1', [eventWith(nestedObject(MAX_JSON_DEPTH))]);
    // The verifier rehashes the stored event: what the store took must stay within canonicalJson's bound.
    expect(contentHash({ ...prepared, streamId: 's-1', data: JSON.parse(prepared.dataJson) })).toBe(
      prepared.contentHash,
    );
    const error = refusal(() => prepareForStore('s-1', [eventWith(nestedObject(MAX_JSON_DEPTH + 1))]));
    expect(error).toBeInstanceOf(InvalidEvent);
    expect((error as Error).message).toMatch(`nested deeper than ${MAX_JSON_DEPTH} levels`);
  });

  it('refuses data nested 10 000 deep by name, not with a stack overflow', () => {
    expect(refusal(() => prepareForStore('s-1', [eventWith(nestedObject(10_000))]))).toBeInstanceOf(
      InvalidEvent,
    );
    const error = refusal(() => canonicalJson(nestedObject(10_000)));
    expect(error).toBeInstanceOf(InvalidEvent);
    expect((error as Error).message).toBe(`the value is nested deeper than ${MAX_CANONICAL_DEPTH} levels`);
  });
});
