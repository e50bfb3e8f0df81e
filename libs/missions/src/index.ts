/** What other parts of Observa may use of the missions context: its events, commands and decider. */
export {
  ELECTION_KINDS,
  STAFF_ROLES,
  missionStreamId,
  type Delegation,
  type DelegationJoined,
  type DelegationLeft,
  type Election,
  type ElectionKind,
  type Mission,
  type MissionClosed,
  type MissionEvent,
  type MissionOpened,
  type StaffRole,
  type StaffRoleGranted,
  type StaffRoleWithdrawn,
} from './domain/mission.js';
export {
  missionDecider,
  type AddDelegation,
  type CloseMission,
  type GrantStaffRole,
  type MissionCommand,
  type OpenMission,
  type RemoveDelegation,
  type WithdrawStaffRole,
} from './domain/mission.decide.js';
export { MissionsModule } from './application/missions.module.js';
export type { MissionDetail, MissionSummary, StaffMember } from './application/mission.read-model.js';
/** The missions context's commands and queries by class name, as a bridge (gRPC) looks them up. */
export * as missionsCommands from './application/commands.js';
export * as missionsQueries from './application/queries.js';
