/**
 * The missions context's events are its published language (proto/observa/missions/events/v1, through
 * `#published/missions`), checked at compile time: changing an event here without its declaration, or
 * the declaration without the event, fails `npm run typecheck`. Every event type is declared, and each
 * event's data has exactly the fields of its published message, with values the message accepts.
 */
import type { Holds, Matches, Same } from '#published/conformance';
import type * as published from '#published/missions';
import type {
  DelegationJoined,
  DelegationLeft,
  Election,
  MissionClosed,
  MissionEvent,
  MissionOpened,
  StaffRoleGranted,
  StaffRoleWithdrawn,
} from './mission.js';

export type EveryEventTypeIsDeclared = Holds<Same<MissionEvent['type'], published.MissionEventType>>;
export type MissionOpenedMatches = Holds<Matches<MissionOpened['data'], published.MissionOpened>>;
export type ElectionMatches = Holds<Matches<Election, published.Election>>;
export type DelegationJoinedMatches = Holds<Matches<DelegationJoined['data'], published.DelegationJoined>>;
export type DelegationLeftMatches = Holds<Matches<DelegationLeft['data'], published.DelegationLeft>>;
export type StaffRoleGrantedMatches = Holds<Matches<StaffRoleGranted['data'], published.StaffRoleGranted>>;
export type StaffRoleWithdrawnMatches = Holds<
  Matches<StaffRoleWithdrawn['data'], published.StaffRoleWithdrawn>
>;
export type MissionClosedMatches = Holds<Matches<MissionClosed['data'], published.MissionClosed>>;
