/** The port through which the guard learns a user's mission roles; a projection of StaffRoleGranted/Withdrawn implements it. */
import type { RolesByMission } from './domain/roles.js';

export interface MissionMembership {
  /** Every mission in which the user holds a role, with those roles; missions without a role are absent. */
  rolesOf(userId: string): Promise<RolesByMission>;
  /**
   * Whether the mission was ever opened (a closed one still exists), as of the request: asked of the
   * platform administrator's requests only, whose roles say nothing of which missions exist.
   */
  exists(missionId: string): Promise<boolean>;
}

export const MISSION_MEMBERSHIP = Symbol('MissionMembership');

/** The port through which the guard learns that an account was disabled: its tokens stop working at once. */
export interface AccountStatus {
  isDisabled(userId: string): Promise<boolean>;
}

export const ACCOUNT_STATUS = Symbol('AccountStatus');
