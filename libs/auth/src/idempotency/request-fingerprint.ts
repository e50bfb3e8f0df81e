/**
 * What an Idempotency-Key is remembered with: the request it was first used for. Two parts, so that a
 * refusal can say what differs: the route (method and path, with its parameters: another mission or
 * application is another request) and a digest of the body (canonical JSON, so key order and spacing
 * do not count; an uploaded file by its bytes).
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '#event-sourcing';

export type RequestFingerprint = {
  /** `POST /api/v1/missions/<id>/applications`: the path as requested, without a query string. */
  readonly route: string;
  /** sha256, hex, of the body's canonical JSON or of its bytes. */
  readonly body: string;
};

const sha256 = (content: string | Buffer): string => createHash('sha256').update(content).digest('hex');

/** `body` is the parsed JSON body, or the bytes of an uploaded file. */
export const fingerprintOf = (method: string, url: string, body: unknown): RequestFingerprint => ({
  route: `${method.toUpperCase()} ${url.split('?')[0]}`,
  body: sha256(Buffer.isBuffer(body) ? body : body === undefined ? '' : canonicalJson(body)),
});

/** What differs between the request a key was first used for and this one, in words for the caller; null if nothing. */
export const differenceOf = (first: RequestFingerprint, now: RequestFingerprint): string | null => {
  if (first.route !== now.route) return `it was first used for ${first.route}, not ${now.route}`;
  if (first.body !== now.body) return `it was first used for ${first.route} with another body`;
  return null;
};
