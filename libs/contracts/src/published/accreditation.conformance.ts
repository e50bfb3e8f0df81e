/**
 * The accreditation context's events against what it publishes (accreditation.ts), checked at compile
 * time as libs/missions/src/domain/mission.published.ts checks the missions context's: each published
 * event type is one the context writes, with exactly its message's fields. Its home is beside the
 * producer's domain (libs/accreditation/src/domain/); it sits here only because that library was being
 * converted to its typed service in the same round, and moves there when that lands.
 */
import type * as written from '#accreditation';
import type * as published from './accreditation.js';
import type { Holds, Matches, Writes } from './conformance.js';

type DataOf<Type extends written.ApplicationEvent['type']> = Extract<
  written.ApplicationEvent,
  { type: Type }
>['data'];

export type EveryPublishedTypeIsWritten = Holds<
  Writes<written.ApplicationEvent['type'], published.AccreditationEventType>
>;
export type AccreditationGrantedMatches = Holds<
  Matches<DataOf<'AccreditationGranted'>, published.AccreditationGranted>
>;
export type AccreditationSuspendedMatches = Holds<
  Matches<DataOf<'AccreditationSuspended'>, published.AccreditationSuspended>
>;
export type AccreditationReinstatedMatches = Holds<
  Matches<DataOf<'AccreditationReinstated'>, published.AccreditationReinstated>
>;
export type AccreditationRevokedMatches = Holds<
  Matches<DataOf<'AccreditationRevoked'>, published.AccreditationRevoked>
>;
export type AccreditationExpiredMatches = Holds<
  Matches<DataOf<'AccreditationExpired'>, published.AccreditationExpired>
>;
export type PersonErasedMatches = Holds<Matches<DataOf<'PersonErased'>, published.PersonErased>>;
