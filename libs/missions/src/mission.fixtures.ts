/** For the use cases' specs: the events of a mission as its streams hold them. */
import type { SpecEvent } from '#testing';

export const missionOpened = (missionId: string, openedBy = 'admin-user'): SpecEvent => ({
  type: 'MissionOpened',
  data: {
    missionId,
    name: 'International Election Observation Mission, Kyrgyz Republic 2023',
    organisation: 'CIS Interparliamentary Assembly',
    hostCountry: 'KG',
    election: { kind: 'parliamentary', date: '2023-11-30', rounds: 1 },
    openedBy,
  },
});

export const staffRoleGranted = (missionId: string, userId: string, role: string): SpecEvent => ({
  type: 'StaffRoleGranted',
  data: { missionId, userId, role },
});
