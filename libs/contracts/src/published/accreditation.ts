/**
 * The accreditation context's published language, v1: the events other contexts may read (deployment
 * will: issue 9), to import, never redeclare (DESIGN.md §5). The messages are generated from
 * proto/observa/accreditation/events/v1/events.proto; this module adds the topic and the event types
 * with their schema versions. Plain TypeScript, so a domain may import it.
 */
import type * as v1 from '#proto/observa/accreditation/events/v1/events';

/**
 * Where the accreditation context's relay publishes the events of its `application-`, `ruleset-` and
 * `badge-` streams; only the application events below are published language, a consumer skips the rest.
 */
export const ACCREDITATION_TOPIC = 'observa.accreditation.events.v1';

/** The stream category of an observer's application: the events below are on `application-<id>`. */
export const APPLICATION_CATEGORY = 'application';

/** The schema version each published event type is written at (the envelope's schemaVersion). */
export const ACCREDITATION_EVENT_SCHEMA_VERSIONS = {
  AccreditationGranted: 1,
  AccreditationSuspended: 1,
  AccreditationReinstated: 1,
  AccreditationRevoked: 1,
  AccreditationExpired: 1,
  PersonErased: 1,
} as const;
export type AccreditationEventType = keyof typeof ACCREDITATION_EVENT_SCHEMA_VERSIONS;

export type AccreditationGranted = v1.AccreditationGranted;
export type AccreditationSuspended = v1.AccreditationSuspended;
export type AccreditationReinstated = v1.AccreditationReinstated;
export type AccreditationRevoked = v1.AccreditationRevoked;
export type AccreditationExpired = v1.AccreditationExpired;
export type PersonErased = v1.PersonErased;

/** Each published event type with the `data` it carries. */
export type AccreditationEventData = {
  AccreditationGranted: AccreditationGranted;
  AccreditationSuspended: AccreditationSuspended;
  AccreditationReinstated: AccreditationReinstated;
  AccreditationRevoked: AccreditationRevoked;
  AccreditationExpired: AccreditationExpired;
  PersonErased: PersonErased;
};
