/** The facts of a mission: what was opened for which election, who joined, who holds which role, when it closed. */

import { STAFF_ROLES, type StaffRole } from '#published/missions';

export const ELECTION_KINDS = ['parliamentary', 'presidential', 'local', 'referendum', 'other'] as const;
export type ElectionKind = (typeof ELECTION_KINDS)[number];

/** The roles a member of a mission's staff can hold (a person may hold several): published language, declared once. */
export { STAFF_ROLES, type StaffRole };

export type Election = {
  readonly kind: ElectionKind;
  /** Election day (the first round), ISO 8601 calendar date: `2023-11-30`. */
  readonly date: string;
  readonly rounds: number;
};

export type MissionOpened = {
  readonly type: 'MissionOpened';
  readonly data: {
    readonly missionId: string;
    readonly name: string;
    readonly organisation: string;
    /** ISO 3166-1 alpha-2, upper case: `KG`. */
    readonly hostCountry: string;
    readonly election: Election;
    readonly openedBy: string;
  };
};

export type DelegationJoined = {
  readonly type: 'DelegationJoined';
  readonly data: { readonly missionId: string; readonly country: string; readonly headOfDelegation: string };
};

export type DelegationLeft = {
  readonly type: 'DelegationLeft';
  readonly data: { readonly missionId: string; readonly country: string };
};

export type StaffRoleGranted = {
  readonly type: 'StaffRoleGranted';
  readonly data: { readonly missionId: string; readonly userId: string; readonly role: StaffRole };
};

export type StaffRoleWithdrawn = {
  readonly type: 'StaffRoleWithdrawn';
  readonly data: { readonly missionId: string; readonly userId: string; readonly role: StaffRole };
};

export type MissionClosed = {
  readonly type: 'MissionClosed';
  readonly data: { readonly missionId: string; readonly by: string; readonly reason?: string };
};

export type MissionEvent =
  MissionOpened | DelegationJoined | DelegationLeft | StaffRoleGranted | StaffRoleWithdrawn | MissionClosed;

export type Delegation = { readonly country: string; readonly headOfDelegation: string };

export type Mission =
  | { readonly status: 'not-opened' }
  | {
      readonly status: 'open' | 'closed';
      readonly missionId: string;
      readonly hostCountry: string;
      /** By country code. */
      readonly delegations: ReadonlyMap<string, Delegation>;
      /** By user id; a user whose last role was withdrawn is no longer a key. */
      readonly staff: ReadonlyMap<string, ReadonlySet<StaffRole>>;
    };

export const initialState = (): Mission => ({ status: 'not-opened' });

export const missionStreamId = (missionId: string): string => `mission-${missionId}`;

const withRole = (
  staff: ReadonlyMap<string, ReadonlySet<StaffRole>>,
  userId: string,
  role: StaffRole,
  held: boolean,
): ReadonlyMap<string, ReadonlySet<StaffRole>> => {
  const roles = new Set(staff.get(userId));
  if (held) roles.add(role);
  else roles.delete(role);
  const next = new Map(staff);
  if (roles.size === 0) next.delete(userId);
  else next.set(userId, roles);
  return next;
};

export const evolve = (state: Mission, event: MissionEvent): Mission => {
  if (event.type === 'MissionOpened')
    return {
      status: 'open',
      missionId: event.data.missionId,
      hostCountry: event.data.hostCountry,
      delegations: new Map(),
      staff: new Map(),
    };
  // Every other fact is about an opened mission; a history that says otherwise is not ours to repair here.
  if (state.status === 'not-opened') return state;
  switch (event.type) {
    case 'DelegationJoined': {
      const { country, headOfDelegation } = event.data;
      return {
        ...state,
        delegations: new Map(state.delegations).set(country, { country, headOfDelegation }),
      };
    }
    case 'DelegationLeft': {
      const delegations = new Map(state.delegations);
      delegations.delete(event.data.country);
      return { ...state, delegations };
    }
    case 'StaffRoleGranted':
      return { ...state, staff: withRole(state.staff, event.data.userId, event.data.role, true) };
    case 'StaffRoleWithdrawn':
      return { ...state, staff: withRole(state.staff, event.data.userId, event.data.role, false) };
    case 'MissionClosed':
      return { ...state, status: 'closed' };
    default: {
      const unhandled: never = event;
      return unhandled;
    }
  }
};

/** How many people hold `role` in the mission. */
export const holdersOf = (state: Mission, role: StaffRole): number =>
  state.status === 'not-opened' ? 0 : [...state.staff.values()].filter((roles) => roles.has(role)).length;
