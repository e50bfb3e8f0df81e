/**
 * The accreditation context's events against what it publishes (#published/accreditation), checked at
 * compile time as ../../../missions/src/domain/mission.published.ts checks the missions context's: each
 * published event type is one the context writes, with exactly its message's fields.
 */
import type { Holds, Matches, Writes } from '#published/conformance';
import type * as published from '#published/accreditation';
import type * as written from './application.js';

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
