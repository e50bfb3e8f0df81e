/** Ids derived from names (RFC 9562 v5 layout), so a retried command names the same events and resources. */
import { createHash } from 'node:crypto';

const NAMESPACE = 'observa-event-id-v1';

export const nameBasedUuid = (name: string): string => {
  const bytes = createHash('sha1').update(`${NAMESPACE}\n${name}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};

export const deriveEventId = (streamId: string, commandId: string, index: number): string =>
  nameBasedUuid(`${streamId}\n${commandId}\n${index}`);
