/**
 * The secretariat grants a user a role on the mission's staff: StaffRoleGranted (nothing when the user
 * holds it already). Identity's mission-roles projection reads it: the user may act in that role.
 */
import type { EventStore } from '#event-sourcing';
import type { GrantStaffRoleRequest, GrantStaffRoleResponse } from '#proto/observa/missions/v1/missions';
import type { StaffRole } from '../domain/mission.js';
import { missionContextOf, writeMission } from '../mission-stream.js';

export const grantStaffRole = (
  store: EventStore,
  request: GrantStaffRoleRequest,
): Promise<GrantStaffRoleResponse> =>
  writeMission(store, missionContextOf(request.context), {
    type: 'GrantStaffRole',
    userId: request.userId,
    // The decider refuses a role it does not know.
    role: request.role as StaffRole,
  });
