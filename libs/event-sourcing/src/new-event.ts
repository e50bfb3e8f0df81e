/** Checks an event before anything is written: refused events never reach the store. */
import { InvalidEvent } from './errors.js';
import type { NewEvent } from './envelope.js';

export const MAX_EVENT_BYTES = 1024 * 1024;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const assertPlainJson = (value: unknown, path: string): void => {
  switch (typeof value) {
    case 'string':
      if (value.includes('\u0000')) throw new InvalidEvent(`${path} contains a NUL character`);
      return;
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) throw new InvalidEvent(`${path} is not a finite number`);
      return;
    case 'object':
      if (value === null) return;
      if (Array.isArray(value)) return value.forEach((item, i) => assertPlainJson(item, `${path}[${i}]`));
      if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null)
        throw new InvalidEvent(`${path} is not a plain JSON object`);
      for (const [key, item] of Object.entries(value)) if (item !== undefined) assertPlainJson(item, `${path}.${key}`);
      return;
    default:
      throw new InvalidEvent(`${path} is not JSON (${typeof value})`);
  }
};

/** Throws InvalidEvent naming the first thing wrong; returns when every event can be stored. */
export const assertStorable = (streamId: string, events: readonly NewEvent[]): void => {
  if (!streamId || streamId.length > 512) throw new InvalidEvent('stream id must be 1 to 512 characters');
  if (events.length === 0) throw new InvalidEvent('an append needs at least one event');
  const ids = new Set<string>();
  for (const [i, event] of events.entries()) {
    const at = `events[${i}]`;
    if (typeof event.type !== 'string' || event.type.trim() === '' || event.type.length > 200)
      throw new InvalidEvent(`${at}.type must be a non-empty name`);
    if (typeof event.eventId !== 'string' || !UUID.test(event.eventId)) throw new InvalidEvent(`${at}.eventId must be a UUID`);
    if (ids.has(event.eventId)) throw new InvalidEvent(`${at}.eventId appears twice in one append`);
    ids.add(event.eventId);
    if (!Number.isInteger(event.schemaVersion) || event.schemaVersion < 1)
      throw new InvalidEvent(`${at}.schemaVersion must be a positive integer`);
    if (event.data === null || typeof event.data !== 'object' || Array.isArray(event.data))
      throw new InvalidEvent(`${at}.data must be a JSON object`);
    assertPlainJson(event.data, `${at}.data`);
    assertPlainJson(event.metadata, `${at}.metadata`);
    const bytes = Buffer.byteLength(JSON.stringify(event.data)) + Buffer.byteLength(JSON.stringify(event.metadata));
    if (bytes > MAX_EVENT_BYTES) throw new InvalidEvent(`${at} is ${bytes} bytes; the limit is ${MAX_EVENT_BYTES}`);
  }
};
