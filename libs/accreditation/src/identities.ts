/**
 * How the context's ids and stream names are made. An application's id derives from the mission and
 * the applicant's identity document, so the same person sent twice (by hand, or in an imported file
 * twice) lands on the same application and creates nothing new.
 */
import { nameBasedUuid } from '#event-sourcing';
import { badgeNumberOf } from './domain/badge-number.js';

const documentKey = (missionId: string, nationality: string, documentNumber: string): string =>
  `${missionId}\n${nationality.trim().toUpperCase()}\n${documentNumber.replace(/\s+/g, '').toUpperCase()}`;

export const applicationIdFor = (missionId: string, nationality: string, documentNumber: string): string =>
  nameBasedUuid(`accreditation-application\n${documentKey(missionId, nationality, documentNumber)}`);

export const personIdFor = (missionId: string, nationality: string, documentNumber: string): string =>
  nameBasedUuid(`accreditation-person\n${documentKey(missionId, nationality, documentNumber)}`);

export const APPLICATION_CATEGORY = 'application';
export const RULE_SET_CATEGORY = 'ruleset';
export const BADGE_CATEGORY = 'badge';

export const applicationStream = (applicationId: string): string =>
  `${APPLICATION_CATEGORY}-${applicationId}`;

/** Rule set ids are the secretariat's words (`kg-2023-parliamentary-lto`): the stream gets a uuid of them. */
export const ruleSetStream = (missionId: string, ruleSetId: string): string =>
  `${RULE_SET_CATEGORY}-${nameBasedUuid(`accreditation-rule-set\n${missionId}\n${ruleSetId}`)}`;

/** Every spelling of one number (case, look-alike hyphens, invisible characters) is one stream. */
export const badgeStream = (missionId: string, badgeNumber: string): string =>
  `${BADGE_CATEGORY}-${nameBasedUuid(`accreditation-badge\n${missionId}\n${badgeNumberOf(badgeNumber)}`)}`;
