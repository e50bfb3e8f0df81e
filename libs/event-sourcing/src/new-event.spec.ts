import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { contentHash } from './hash-chain.js';
import type { NewEvent } from './envelope.js';
import { prepareForStore } from './new-event.js';

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
