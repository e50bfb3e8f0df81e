/** What may be done to a mission, and what happens when it is. Who may do it is the application's question. */
import { DomainRuleBroken, type Decider } from '#event-sourcing';
import {
  ELECTION_KINDS,
  STAFF_ROLES,
  evolve,
  holdersOf,
  initialState,
  type ElectionKind,
  type Mission,
  type MissionEvent,
  type StaffRole,
} from './mission.js';

export type OpenMission = {
  readonly type: 'OpenMission';
  readonly missionId: string;
  readonly name: string;
  readonly organisation: string;
  readonly hostCountry: string;
  readonly election: { readonly kind: ElectionKind; readonly date: string; readonly rounds: number };
  readonly openedBy: string;
};

export type AddDelegation = {
  readonly type: 'AddDelegation';
  readonly country: string;
  readonly headOfDelegation: string;
};

export type RemoveDelegation = { readonly type: 'RemoveDelegation'; readonly country: string };

export type GrantStaffRole = {
  readonly type: 'GrantStaffRole';
  readonly userId: string;
  readonly role: StaffRole;
};

export type WithdrawStaffRole = {
  readonly type: 'WithdrawStaffRole';
  readonly userId: string;
  readonly role: StaffRole;
};

export type CloseMission = { readonly type: 'CloseMission'; readonly by: string; readonly reason?: string };

export type MissionCommand =
  OpenMission | AddDelegation | RemoveDelegation | GrantStaffRole | WithdrawStaffRole | CloseMission;

/** The request layer checks shapes too; these checks hold because an event, once written, is forever. */
const required = (value: string, what: string): string => {
  const text = typeof value === 'string' ? value.trim() : '';
  if (text === '') throw new DomainRuleBroken(`${what} must not be empty`);
  return text;
};

const countryCode = (value: string, what: string): string => {
  if (typeof value !== 'string' || !/^[A-Za-z]{2}$/.test(value.trim()))
    throw new DomainRuleBroken(`${what} must be an ISO 3166-1 alpha-2 code, e.g. KG`);
  return value.trim().toUpperCase();
};

const calendarDate = (value: string): string => {
  const match = typeof value === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(value) : null;
  const [year, month, day] = match ? match.slice(1).map(Number) : [];
  const date = match ? new Date(Date.UTC(year, month - 1, day)) : undefined;
  if (
    !date ||
    date.getUTCFullYear() !== year ||
    date.getUTCMonth() !== month - 1 ||
    date.getUTCDate() !== day
  )
    throw new DomainRuleBroken(
      `election date must be an ISO calendar date (YYYY-MM-DD), not ${JSON.stringify(value)}`,
    );
  return value;
};

const staffRole = (role: StaffRole): StaffRole => {
  if (!STAFF_ROLES.includes(role)) throw new DomainRuleBroken(`unknown staff role ${JSON.stringify(role)}`);
  return role;
};

type OpenedMission = Exclude<Mission, { status: 'not-opened' }>;

const open = (state: Mission): OpenedMission => {
  if (state.status === 'not-opened') throw new DomainRuleBroken('the mission has not been opened');
  if (state.status === 'closed') throw new DomainRuleBroken('the mission is closed');
  return state;
};

export const decide = (command: MissionCommand, state: Mission): MissionEvent[] => {
  switch (command.type) {
    case 'OpenMission': {
      if (state.status !== 'not-opened') throw new DomainRuleBroken('the mission is already open');
      const { kind, date, rounds } = command.election ?? {};
      if (!ELECTION_KINDS.includes(kind))
        throw new DomainRuleBroken(`election kind must be one of ${ELECTION_KINDS.join(', ')}`);
      if (!Number.isInteger(rounds) || rounds < 1)
        throw new DomainRuleBroken('an election has a whole number of rounds, at least one');
      return [
        {
          type: 'MissionOpened',
          data: {
            missionId: required(command.missionId, 'mission id'),
            name: required(command.name, 'name'),
            organisation: required(command.organisation, 'organisation'),
            hostCountry: countryCode(command.hostCountry, 'host country'),
            election: { kind, date: calendarDate(date), rounds },
            openedBy: required(command.openedBy, 'openedBy'),
          },
        },
      ];
    }
    case 'AddDelegation': {
      const mission = open(state);
      const country = countryCode(command.country, 'delegation country');
      if (mission.delegations.has(country))
        throw new DomainRuleBroken(`a delegation of ${country} is already in the mission`);
      return [
        {
          type: 'DelegationJoined',
          data: {
            missionId: mission.missionId,
            country,
            headOfDelegation: required(command.headOfDelegation, 'head of delegation'),
          },
        },
      ];
    }
    case 'RemoveDelegation': {
      const mission = open(state);
      const country = countryCode(command.country, 'delegation country');
      if (!mission.delegations.has(country))
        throw new DomainRuleBroken(`there is no delegation of ${country} in the mission`);
      return [{ type: 'DelegationLeft', data: { missionId: mission.missionId, country } }];
    }
    case 'GrantStaffRole': {
      const mission = open(state);
      const userId = required(command.userId, 'user id');
      const role = staffRole(command.role);
      if (mission.staff.get(userId)?.has(role)) return [];
      return [{ type: 'StaffRoleGranted', data: { missionId: mission.missionId, userId, role } }];
    }
    case 'WithdrawStaffRole': {
      const mission = open(state);
      const userId = required(command.userId, 'user id');
      const role = staffRole(command.role);
      if (!mission.staff.get(userId)?.has(role))
        throw new DomainRuleBroken(`user ${userId} does not hold the role ${role} in this mission`);
      // Someone must always be able to run the mission; a platform admin is not a substitute for its secretariat.
      if (role === 'secretariat' && holdersOf(mission, 'secretariat') === 1)
        throw new DomainRuleBroken(
          'the last secretariat of a mission cannot be withdrawn; grant the role to another first',
        );
      return [{ type: 'StaffRoleWithdrawn', data: { missionId: mission.missionId, userId, role } }];
    }
    case 'CloseMission': {
      const mission = open(state);
      const reason = typeof command.reason === 'string' ? command.reason.trim() : '';
      return [
        {
          type: 'MissionClosed',
          data: { missionId: mission.missionId, by: required(command.by, 'by'), ...(reason && { reason }) },
        },
      ];
    }
    default: {
      const unhandled: never = command;
      throw new Error(`unknown command ${JSON.stringify(unhandled)}`);
    }
  }
};

export const missionDecider: Decider<Mission, MissionCommand, MissionEvent> = {
  decide,
  evolve,
  initialState,
};
