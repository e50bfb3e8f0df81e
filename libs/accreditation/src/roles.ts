/** Who may do what in a mission's accreditation. */
import type { MissionRole } from '#auth';

/** The secretariat does the work; the head of mission may step in. */
export const WRITERS: [MissionRole, ...MissionRole[]] = ['secretariat', 'head_of_mission'];
/** Everyone on the mission's staff but observers, who see no one else's personal data. */
export const READERS: [MissionRole, ...MissionRole[]] = [
  'secretariat',
  'head_of_mission',
  'team_lead',
  'analyst',
  'auditor',
];
