/** Who may touch a mission: roles are per mission, plus one platform-wide administrator role. */
import { STAFF_ROLES, type StaffRole } from '#published/missions';

/** The roles the missions context grants: its published language, declared once there. */
export const MISSION_ROLES = STAFF_ROLES;
export type MissionRole = StaffRole;

export const PLATFORM_ROLES = ['admin'] as const;
export type PlatformRole = (typeof PLATFORM_ROLES)[number];

/** A user's roles by mission id. A mission in which the user holds no role is absent, not an empty set. */
export type RolesByMission = ReadonlyMap<string, ReadonlySet<MissionRole>>;

/** The authenticated caller of a request. */
export type Principal = {
  readonly userId: string;
  readonly email: string;
  readonly platformRole?: PlatformRole;
  readonly missionRoles: RolesByMission;
};

export type Authorization = 'allowed' | 'not-found' | 'forbidden';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Missions are named by the UUIDs the missions context gives them (lowercase, as it writes them). */
export const isMissionId = (value: string): boolean => UUID.test(value);

/**
 * May the principal act in this mission with one of these roles?
 * To someone with no role in a mission, the mission does not exist: 'not-found', so that ids of other
 * missions cannot be probed. A member without a fitting role learns only that it is not theirs to do.
 * An empty `allowedRoles` allows no member: only the platform administrator.
 */
export const authorize = (
  principal: Principal,
  missionId: string,
  allowedRoles: readonly MissionRole[],
): Authorization => {
  if (principal.platformRole === 'admin') return 'allowed';
  const held = principal.missionRoles.get(missionId);
  if (!held || held.size === 0) return 'not-found';
  return allowedRoles.some((role) => held.has(role)) ? 'allowed' : 'forbidden';
};
