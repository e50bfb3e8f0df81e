/** What other parts of Observa may use of the missions context: its events, decider, interface and module. */
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
export { MISSIONS, type Missions } from './missions.contract.js';
export { MissionsModule } from './missions.module.js';
export { MissionsService, missionsService } from './missions.service.js';
export { MissionView, missionsProjection } from './missions-view/missions-view.projection.js';
