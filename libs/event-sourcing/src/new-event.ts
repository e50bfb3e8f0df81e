/**
 * Checks an event before anything is written — refused events never reach the store — and, in the
 * same walk, writes its data and metadata as canonical JSON (keys sorted), which is both what the
 * store sends and what the hash chain covers: each event is serialized once.
 */
import { createHash } from 'node:crypto';
import { InvalidEvent } from './errors.js';
import type { NewEvent } from './envelope.js';
import { MAX_JSON_DEPTH, textProblem } from './storable-json.js';

export const MAX_EVENT_BYTES = 1024 * 1024;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const storableText = (text: string, path: string): string => {
  const problem = textProblem(text);
  if (problem) throw new InvalidEvent(`${path} ${problem}`);
  return JSON.stringify(text);
};

/**
 * Canonical JSON of a plain JSON value, refusing anything JSON or Postgres cannot carry faithfully.
 * `depth` counts the containers around `value`; the bound keeps this recursion far from the stack's end.
 */
const storableJson = (value: unknown, path: string, depth = 0): string => {
  switch (typeof value) {
    case 'string':
      return storableText(value, path);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new InvalidEvent(`${path} is not a finite number`);
      return JSON.stringify(value);
    case 'object': {
      if (value === null) return 'null';
      if (depth >= MAX_JSON_DEPTH)
        throw new InvalidEvent(`${path} is nested deeper than ${MAX_JSON_DEPTH} levels`);
      if (Array.isArray(value))
        return `[${value.map((item, i) => storableJson(item, `${path}[${i}]`, depth + 1)).join(',')}]`;
      const prototype = Object.getPrototypeOf(value);
      if (prototype !== Object.prototype && prototype !== null)
        throw new InvalidEvent(`${path} is not a plain JSON object`);
      const keys = Object.keys(value).sort();
      const parts: string[] = [];
      for (const key of keys) {
        const item = (value as Record<string, unknown>)[key];
        if (item !== undefined)
          parts.push(
            `${storableText(key, `${path} key ${JSON.stringify(key)}`)}:${storableJson(item, `${path}.${key}`, depth + 1)}`,
          );
      }
      return `{${parts.join(',')}}`;
    }
    default:
      throw new InvalidEvent(`${path} is not JSON (${typeof value})`);
  }
};

export type StorableEvent = NewEvent & {
  /** Lower case, as the store keeps uuids. */
  readonly eventId: string;
  readonly dataJson: string;
  readonly metadataJson: string;
  /** sha256 of the canonical event content: the first half of its link in the hash chain. */
  readonly contentHash: string;
};

/** Validates and serializes an append; throws InvalidEvent naming the first thing wrong. */
export const prepareForStore = (streamId: string, events: readonly NewEvent[]): StorableEvent[] => {
  if (!streamId || streamId.length > 512) throw new InvalidEvent('stream id must be 1 to 512 characters');
  if (events.length === 0) throw new InvalidEvent('an append needs at least one event');
  const ids = new Set<string>();
  return events.map((event, i) => {
    const at = `events[${i}]`;
    if (typeof event.type !== 'string' || event.type.trim() === '' || event.type.length > 200)
      throw new InvalidEvent(`${at}.type must be a non-empty name`);
    if (typeof event.eventId !== 'string' || !UUID.test(event.eventId))
      throw new InvalidEvent(`${at}.eventId must be a UUID`);
    const eventId = event.eventId.toLowerCase();
    if (ids.has(eventId)) throw new InvalidEvent(`${at}.eventId appears twice in one append`);
    ids.add(eventId);
    if (!Number.isInteger(event.schemaVersion) || event.schemaVersion < 1)
      throw new InvalidEvent(`${at}.schemaVersion must be a positive integer`);
    if (event.data === null || typeof event.data !== 'object' || Array.isArray(event.data))
      throw new InvalidEvent(`${at}.data must be a JSON object`);
    const dataJson = storableJson(event.data, `${at}.data`);
    const metadataJson = storableJson(event.metadata, `${at}.metadata`);
    const bytes = Buffer.byteLength(dataJson) + Buffer.byteLength(metadataJson);
    if (bytes > MAX_EVENT_BYTES)
      throw new InvalidEvent(`${at} is ${bytes} bytes; the limit is ${MAX_EVENT_BYTES}`);
    // The same text as canonicalJson({ data, eventId, metadata, schemaVersion, streamId, type }) (hash-chain.ts).
    const content = `{"data":${dataJson},"eventId":${JSON.stringify(eventId)},"metadata":${metadataJson},"schemaVersion":${event.schemaVersion},"streamId":${JSON.stringify(streamId)},"type":${JSON.stringify(event.type)}}`;
    const contentHash = createHash('sha256').update(content, 'utf8').digest('hex');
    return { ...event, eventId, dataJson, metadataJson, contentHash };
  });
};
