import { describe, expect, it } from '@jest/globals';
import type { RecordedEvent } from './envelope.js';
import { decodeEvent, encodeEvent, eventHeaders, UndecodableEvent } from './event-codec.js';

const event: RecordedEvent = {
  eventId: '0b9a3c1e-5d2f-5a7b-8c4d-1e2f3a4b5c6d',
  type: 'ObserverArrived',
  schemaVersion: 2,
  streamId: 'visit-12',
  streamVersion: 9_007_199_254_740_993n, // beyond a double's exact integers
  globalPosition: { commit: 812n, prepare: 40_001n },
  data: { station: 'S-1', at: '07:02', note: 'урна опечатана' },
  metadata: {
    missionId: 'm-1',
    correlationId: 'c-1',
    occurredAt: '2023-11-30T07:02:00Z',
    hash: 'ab',
    previousHash: null,
  },
};

describe('event codec', () => {
  it('carries the whole envelope, bigints as strings, and reads it back unchanged', () => {
    const wire = encodeEvent(event);
    expect(JSON.parse(wire)).toMatchObject({
      streamVersion: '9007199254740993',
      globalPosition: { commit: '812', prepare: '40001' },
    });
    expect(decodeEvent(Buffer.from(wire))).toEqual(event);
  });

  it('puts type, ids, versions, correlation and position in headers', () => {
    expect(eventHeaders(event)).toEqual({
      type: 'ObserverArrived',
      eventId: event.eventId,
      schemaVersion: '2',
      correlationId: 'c-1',
      streamVersion: '9007199254740993',
      position: '812/40001',
    });
    expect(
      eventHeaders({ ...event, metadata: { ...event.metadata, correlationId: undefined } }),
    ).not.toHaveProperty('correlationId');
  });

  it.each([
    ['no value', null],
    ['not JSON', 'ObserverArrived'],
    ['no event id', JSON.stringify({ ...JSON.parse(encodeEvent(event)), eventId: undefined })],
    ['an event id that is not a UUID', JSON.stringify({ ...JSON.parse(encodeEvent(event)), eventId: 'e-1' })],
    ['a numeric stream version', JSON.stringify({ ...JSON.parse(encodeEvent(event)), streamVersion: 3 })],
  ])('refuses a message with %s', (_, value) => {
    expect(() => decodeEvent(value)).toThrow(UndecodableEvent);
  });
});
