/** The secretariat withdraws a staff member's role (never the mission's last secretariat): StaffRoleWithdrawn. */
import type { EventStore } from '#event-sourcing';
import type {
  WithdrawStaffRoleRequest,
  WithdrawStaffRoleResponse,
} from '#proto/observa/missions/v1/missions';
import type { StaffRole } from '../domain/mission.js';
import { missionContextOf, writeMission } from '../mission-stream.js';

export const withdrawStaffRole = (
  store: EventStore,
  request: WithdrawStaffRoleRequest,
): Promise<WithdrawStaffRoleResponse> =>
  writeMission(store, missionContextOf(request.context), {
    type: 'WithdrawStaffRole',
    userId: request.userId,
    // The decider refuses a role it does not know.
    role: request.role as StaffRole,
  });
