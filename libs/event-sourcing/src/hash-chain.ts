/**
 * Tamper evidence: each event's hash covers its content and the hash of the event before it in its
 * stream, so changing or removing any event breaks every link after it.
 *   contentHash = sha256(canonical JSON of {eventId, streamId, type, schemaVersion, data, metadata})
 *   hash        = sha256(`${previousHash ?? ''}:${streamVersion}:${contentHash}`)
 * The Postgres store computes the second line in SQL (sha256 there gives the same hex digest).
 */
import { createHash } from 'node:crypto';
import type { EventContext, RecordedEvent } from './envelope.js';

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** JSON with object keys sorted, so a value read back from jsonb hashes as it was written. */
export const canonicalJson = (value: unknown): string => {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
};

export type HashedContent = {
  eventId: string;
  streamId: string;
  type: string;
  schemaVersion: number;
  data: unknown;
  metadata: EventContext;
};

export const contentHash = (content: HashedContent): string =>
  sha256(
    canonicalJson({
      eventId: content.eventId,
      streamId: content.streamId,
      type: content.type,
      schemaVersion: content.schemaVersion,
      data: content.data,
      metadata: content.metadata,
    }),
  );

export const chainHash = (previousHash: string | null, streamVersion: bigint, content: string): string =>
  sha256(`${previousHash ?? ''}:${streamVersion}:${content}`);

/** Splits the store's metadata back into what the writer said and the chain links. */
export const writtenContext = (event: RecordedEvent): EventContext => {
  const { hash: _hash, previousHash: _previous, ...context } = event.metadata;
  return context;
};

export type ChainBreak = { streamVersion: bigint; eventId: string; reason: string };

/** Checks a whole stream read forwards from its first event; returns the first break, or null. */
export const findChainBreak = (events: readonly RecordedEvent[]): ChainBreak | null => {
  let previous: string | null = null;
  let expectedVersion = 0n;
  for (const event of events) {
    const at = { streamVersion: event.streamVersion, eventId: event.eventId };
    if (event.streamVersion !== expectedVersion)
      return { ...at, reason: `expected version ${expectedVersion}` };
    if (event.metadata.previousHash !== previous) return { ...at, reason: 'previousHash does not match' };
    const recomputed = chainHash(
      previous,
      event.streamVersion,
      contentHash({ ...event, metadata: writtenContext(event) }),
    );
    if (recomputed !== event.metadata.hash) return { ...at, reason: 'content does not match its hash' };
    previous = event.metadata.hash;
    expectedVersion += 1n;
  }
  return null;
};
