/**
 * An event on the wire (Kafka) and in a dead letter: the whole envelope as JSON (bigints as strings),
 * plus headers a consumer can route on.
 */
import { positionToString, type RecordedEvent } from './envelope.js';

export type EventHeaders = Record<string, string>;

export const eventHeaders = (event: RecordedEvent): EventHeaders => ({
  type: event.type,
  eventId: event.eventId,
  schemaVersion: String(event.schemaVersion),
  ...(event.metadata.correlationId ? { correlationId: event.metadata.correlationId } : {}),
  streamVersion: event.streamVersion.toString(),
  position: positionToString(event.globalPosition),
});

export const encodeEvent = (event: RecordedEvent): string =>
  JSON.stringify({
    ...event,
    streamVersion: event.streamVersion.toString(),
    globalPosition: {
      commit: event.globalPosition.commit.toString(),
      prepare: event.globalPosition.prepare.toString(),
    },
  });

/** A message that is not an Observa event envelope; nothing was applied. */
export class UndecodableEvent extends Error {
  override readonly name = 'UndecodableEvent';
}

const INTEGER = /^\d+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const integer = (value: unknown, field: string): bigint => {
  if (typeof value !== 'string' || !INTEGER.test(value))
    throw new UndecodableEvent(`${field} is not an integer string`);
  return BigInt(value);
};

export const decodeEvent = (value: Buffer | string | null): RecordedEvent => {
  if (value === null) throw new UndecodableEvent('the message has no value');
  let wire: Record<string, unknown>;
  try {
    wire = JSON.parse(value.toString());
  } catch {
    throw new UndecodableEvent('the message value is not JSON');
  }
  if (wire === null || typeof wire !== 'object')
    throw new UndecodableEvent('the message value is not an object');
  for (const field of ['eventId', 'type', 'streamId'] as const)
    if (typeof wire[field] !== 'string') throw new UndecodableEvent(`${field} is missing`);
  // The store and the inbox key events on a uuid: anything else could be neither applied nor remembered.
  if (!UUID.test(wire.eventId as string)) throw new UndecodableEvent('eventId is not a UUID');
  if (!Number.isInteger(wire.schemaVersion)) throw new UndecodableEvent('schemaVersion is missing');
  if (typeof wire.data !== 'object' || wire.data === null) throw new UndecodableEvent('data is missing');
  if (typeof wire.metadata !== 'object' || wire.metadata === null)
    throw new UndecodableEvent('metadata is missing');
  const position = (wire.globalPosition ?? {}) as Record<string, unknown>;
  return {
    ...(wire as unknown as RecordedEvent),
    streamVersion: integer(wire.streamVersion, 'streamVersion'),
    globalPosition: {
      commit: integer(position.commit, 'globalPosition.commit'),
      prepare: integer(position.prepare, 'globalPosition.prepare'),
    },
  };
};
