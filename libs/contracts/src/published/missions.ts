/**
 * The missions context's published language, v1: what other contexts may know of its events and
 * import, never redeclare (DESIGN.md §5). The messages are generated from
 * proto/observa/missions/events/v1/events.proto; this module adds what proto3 cannot say of their JSON:
 * the roles a `role` names (lower-case strings on the wire since the first event, so no proto enum),
 * the event types and their schema versions. Plain TypeScript, so a domain may import it.
 */
import type * as v1 from '#proto/observa/missions/events/v1/events';

/** Where the missions context's relay publishes every event of its `mission-<id>` streams. */
export const MISSIONS_TOPIC = 'observa.missions.events.v1';

/** The stream category of a mission: its events are on `mission-<mission id>`. */
export const MISSION_CATEGORY = 'mission';

/** The roles a member of a mission's staff can hold. A person may hold several. */
export const STAFF_ROLES = [
  'secretariat',
  'team_lead',
  'observer',
  'analyst',
  'head_of_mission',
  'auditor',
] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/** The schema version each published event type is written at (the envelope's schemaVersion). */
export const MISSION_EVENT_SCHEMA_VERSIONS = {
  MissionOpened: 1,
  DelegationJoined: 1,
  DelegationLeft: 1,
  StaffRoleGranted: 1,
  StaffRoleWithdrawn: 1,
  MissionClosed: 1,
} as const;
export type MissionEventType = keyof typeof MISSION_EVENT_SCHEMA_VERSIONS;

export type Election = v1.Election;
export type MissionOpened = v1.MissionOpened;
export type DelegationJoined = v1.DelegationJoined;
export type DelegationLeft = v1.DelegationLeft;
export type StaffRoleGranted = Omit<v1.StaffRoleGranted, 'role'> & { role: StaffRole };
export type StaffRoleWithdrawn = Omit<v1.StaffRoleWithdrawn, 'role'> & { role: StaffRole };
export type MissionClosed = v1.MissionClosed;

/** Each published event type with the `data` it carries. */
export type MissionEventData = {
  MissionOpened: MissionOpened;
  DelegationJoined: DelegationJoined;
  DelegationLeft: DelegationLeft;
  StaffRoleGranted: StaffRoleGranted;
  StaffRoleWithdrawn: StaffRoleWithdrawn;
  MissionClosed: MissionClosed;
};
