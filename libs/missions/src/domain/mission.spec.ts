import { describe, expect, it } from '@jest/globals';
import { DomainRuleBroken } from '#event-sourcing';
import { specFor } from '#testing';
import { missionStreamId, type MissionEvent } from './mission.js';
import { missionDecider, type OpenMission } from './mission.decide.js';

const { given } = specFor(missionDecider);

const missionId = 'b3e2c7a0-kg-2023';
const admin = 'user-admin';
const secretariat = 'user-aizada';
const deputy = 'user-bakyt';

const openMission: OpenMission = {
  type: 'OpenMission',
  missionId,
  name: 'International Election Observation Mission, Kyrgyz Republic 2023',
  organisation: 'CIS Interparliamentary Assembly',
  hostCountry: 'KG',
  election: { kind: 'parliamentary', date: '2023-11-30', rounds: 1 },
  openedBy: admin,
};

const opened: MissionEvent = {
  type: 'MissionOpened',
  data: {
    missionId,
    name: openMission.name,
    organisation: openMission.organisation,
    hostCountry: 'KG',
    election: { kind: 'parliamentary', date: '2023-11-30', rounds: 1 },
    openedBy: admin,
  },
};
const kazakhDelegation: MissionEvent = {
  type: 'DelegationJoined',
  data: { missionId, country: 'KZ', headOfDelegation: 'Yerlan Nurlanovich' },
};
const kazakhDelegationLeft: MissionEvent = { type: 'DelegationLeft', data: { missionId, country: 'KZ' } };
const granted = (userId: string, role: 'secretariat' | 'observer' | 'auditor'): MissionEvent => ({
  type: 'StaffRoleGranted',
  data: { missionId, userId, role },
});
const withdrawn = (userId: string, role: 'secretariat' | 'observer'): MissionEvent => ({
  type: 'StaffRoleWithdrawn',
  data: { missionId, userId, role },
});
const closed: MissionEvent = { type: 'MissionClosed', data: { missionId, by: secretariat } };

describe('a mission', () => {
  it('lives on the stream mission-<id>', () =>
    expect(missionStreamId(missionId)).toBe(`mission-${missionId}`));

  describe('opening', () => {
    it('opens for an election', () => given([]).when(openMission).then([opened]));

    it('reads the host country in upper case', () =>
      given([])
        .when({ ...openMission, hostCountry: 'kg' })
        .then([opened]));

    it('opens only once', () =>
      given([opened])
        .when(openMission)
        .thenThrows(DomainRuleBroken, /already open/));

    it('cannot be reopened once closed', () =>
      given([opened, closed])
        .when(openMission)
        .thenThrows(DomainRuleBroken, /already open/));

    it.each([
      ['an empty name', { name: '  ' }, /name/],
      ['an empty organisation', { organisation: '' }, /organisation/],
      ['a host country that is not an alpha-2 code', { hostCountry: 'KGZ' }, /alpha-2/],
      [
        'an election kind it does not know',
        { election: { ...openMission.election, kind: 'mayoral' } },
        /kind/,
      ],
      [
        'an election date that is no date',
        { election: { ...openMission.election, date: '2023-02-30' } },
        /date/,
      ],
      [
        'an election date that is not ISO',
        { election: { ...openMission.election, date: '30.11.2023' } },
        /date/,
      ],
      ['zero rounds', { election: { ...openMission.election, rounds: 0 } }, /rounds/],
      ['a fraction of a round', { election: { ...openMission.election, rounds: 1.5 } }, /rounds/],
      ['no one who opened it', { openedBy: '' }, /openedBy/],
    ])('refuses %s', (_, change, message) =>
      given([])
        .when({ ...openMission, ...change } as OpenMission)
        .thenThrows(DomainRuleBroken, message),
    );
  });

  describe('delegations', () => {
    it('takes in a member-state delegation', () =>
      given([opened])
        .when({ type: 'AddDelegation', country: 'kz', headOfDelegation: ' Yerlan Nurlanovich ' })
        .then([kazakhDelegation]));

    it('refuses a second delegation of the same country', () =>
      given([opened, kazakhDelegation])
        .when({ type: 'AddDelegation', country: 'KZ', headOfDelegation: 'Someone Else' })
        .thenThrows(DomainRuleBroken, /already in the mission/));

    it('takes a delegation back after it left', () =>
      given([opened, kazakhDelegation, kazakhDelegationLeft])
        .when({ type: 'AddDelegation', country: 'KZ', headOfDelegation: 'Yerlan Nurlanovich' })
        .then([kazakhDelegation]));

    it('refuses a delegation without a head', () =>
      given([opened])
        .when({ type: 'AddDelegation', country: 'KZ', headOfDelegation: '' })
        .thenThrows(DomainRuleBroken, /head of delegation/));

    it('refuses a delegation country that is not an alpha-2 code', () =>
      given([opened])
        .when({ type: 'AddDelegation', country: 'Kazakhstan', headOfDelegation: 'Yerlan Nurlanovich' })
        .thenThrows(DomainRuleBroken, /alpha-2/));

    it('lets a delegation leave', () =>
      given([opened, kazakhDelegation])
        .when({ type: 'RemoveDelegation', country: 'KZ' })
        .then([kazakhDelegationLeft]));

    it('refuses to remove a delegation that is not in the mission', () =>
      given([opened, kazakhDelegation, kazakhDelegationLeft])
        .when({ type: 'RemoveDelegation', country: 'KZ' })
        .thenThrows(DomainRuleBroken, /no delegation of KZ/));
  });

  describe('staff roles', () => {
    it('grants a role', () =>
      given([opened])
        .when({ type: 'GrantStaffRole', userId: secretariat, role: 'secretariat' })
        .then([granted(secretariat, 'secretariat')]));

    it('grants a second role to the same person', () =>
      given([opened, granted(secretariat, 'secretariat')])
        .when({ type: 'GrantStaffRole', userId: secretariat, role: 'auditor' })
        .then([granted(secretariat, 'auditor')]));

    it('changes nothing when the person already holds the role', () =>
      given([opened, granted(deputy, 'observer')])
        .when({ type: 'GrantStaffRole', userId: deputy, role: 'observer' })
        .thenNothingHappens());

    it('grants again a role that was withdrawn', () =>
      given([
        opened,
        granted(secretariat, 'secretariat'),
        granted(deputy, 'observer'),
        withdrawn(deputy, 'observer'),
      ])
        .when({ type: 'GrantStaffRole', userId: deputy, role: 'observer' })
        .then([granted(deputy, 'observer')]));

    it('refuses a role it does not know', () =>
      given([opened])
        .when({ type: 'GrantStaffRole', userId: deputy, role: 'chairman' as 'observer' })
        .thenThrows(DomainRuleBroken, /unknown staff role/));

    it('refuses a grant to no one', () =>
      given([opened])
        .when({ type: 'GrantStaffRole', userId: ' ', role: 'observer' })
        .thenThrows(DomainRuleBroken, /user id/));

    it('withdraws a role', () =>
      given([opened, granted(secretariat, 'secretariat'), granted(deputy, 'observer')])
        .when({ type: 'WithdrawStaffRole', userId: deputy, role: 'observer' })
        .then([withdrawn(deputy, 'observer')]));

    it('refuses to withdraw a role the person does not hold', () =>
      given([opened, granted(deputy, 'observer')])
        .when({ type: 'WithdrawStaffRole', userId: deputy, role: 'secretariat' })
        .thenThrows(DomainRuleBroken, /does not hold the role secretariat/));

    it('refuses to withdraw a role that was already withdrawn', () =>
      given([
        opened,
        granted(secretariat, 'secretariat'),
        granted(deputy, 'observer'),
        withdrawn(deputy, 'observer'),
      ])
        .when({ type: 'WithdrawStaffRole', userId: deputy, role: 'observer' })
        .thenThrows(DomainRuleBroken, /does not hold/));

    it('refuses to withdraw the last secretariat', () =>
      given([opened, granted(secretariat, 'secretariat'), granted(deputy, 'observer')])
        .when({ type: 'WithdrawStaffRole', userId: secretariat, role: 'secretariat' })
        .thenThrows(DomainRuleBroken, /last secretariat/));

    it('withdraws a secretariat while another remains', () =>
      given([opened, granted(secretariat, 'secretariat'), granted(deputy, 'secretariat')])
        .when({ type: 'WithdrawStaffRole', userId: secretariat, role: 'secretariat' })
        .then([withdrawn(secretariat, 'secretariat')]));

    it('counts people, not grants: the last secretariat stays even after other roles come and go', () =>
      given([
        opened,
        granted(secretariat, 'secretariat'),
        granted(deputy, 'secretariat'),
        withdrawn(deputy, 'secretariat'),
        granted(deputy, 'observer'),
      ])
        .when({ type: 'WithdrawStaffRole', userId: secretariat, role: 'secretariat' })
        .thenThrows(DomainRuleBroken, /last secretariat/));
  });

  describe('closing', () => {
    it('closes, with a reason when one is given', () =>
      given([opened])
        .when({ type: 'CloseMission', by: secretariat, reason: ' final statement published ' })
        .then([
          {
            type: 'MissionClosed',
            data: { missionId, by: secretariat, reason: 'final statement published' },
          },
        ]));

    it('closes without a reason', () =>
      given([opened]).when({ type: 'CloseMission', by: secretariat, reason: '' }).then([closed]));

    it('closes only once', () =>
      given([opened, closed])
        .when({ type: 'CloseMission', by: secretariat })
        .thenThrows(DomainRuleBroken, /closed/));
  });

  describe('a closed mission', () => {
    it.each([
      ['add a delegation', { type: 'AddDelegation', country: 'BY', headOfDelegation: 'Ivan Petrovich' }],
      ['remove a delegation', { type: 'RemoveDelegation', country: 'KZ' }],
      ['grant a role', { type: 'GrantStaffRole', userId: deputy, role: 'analyst' }],
      ['grant a role already held', { type: 'GrantStaffRole', userId: secretariat, role: 'secretariat' }],
      ['withdraw a role', { type: 'WithdrawStaffRole', userId: deputy, role: 'observer' }],
    ] as const)('cannot %s', (_, command) =>
      given([
        opened,
        kazakhDelegation,
        granted(secretariat, 'secretariat'),
        granted(deputy, 'observer'),
        closed,
      ])
        .when(command)
        .thenThrows(DomainRuleBroken, /the mission is closed/),
    );
  });

  describe('a mission never opened', () => {
    it.each([
      ['take a delegation', { type: 'AddDelegation', country: 'KZ', headOfDelegation: 'Yerlan Nurlanovich' }],
      ['remove a delegation', { type: 'RemoveDelegation', country: 'KZ' }],
      ['grant a role', { type: 'GrantStaffRole', userId: deputy, role: 'observer' }],
      ['withdraw a role', { type: 'WithdrawStaffRole', userId: deputy, role: 'observer' }],
      ['be closed', { type: 'CloseMission', by: secretariat }],
    ] as const)('cannot %s', (_, command) =>
      given([])
        .when(command)
        .thenThrows(DomainRuleBroken, /has not been opened/),
    );
  });
});
