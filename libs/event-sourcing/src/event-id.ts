/** Event ids derived from the command id, so a retried command names the same events (RFC 9562 v5 layout). */
import { createHash } from 'node:crypto';

const NAMESPACE = 'observa-event-id-v1';

export const deriveEventId = (streamId: string, commandId: string, index: number): string => {
  const bytes = createHash('sha1').update(`${NAMESPACE}\n${streamId}\n${commandId}\n${index}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};
