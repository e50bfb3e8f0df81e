/** An applicant and the history of an application at each stage, for the specs beside this file. */
import {
  applicantFacts,
  type ApplicationEvent,
  type ApplicationSubmitted,
  type EligibilityScreened,
  type PersonalData,
} from './application.js';
import type { ScreenEligibility } from './application.commands.js';
import {
  CONFLICT_OF_INTEREST_QUESTIONS,
  type ConflictOfInterestQuestion,
  type RuleSet,
} from './eligibility.js';
import { kyrgyzstan2023LtoCall } from './rule-sets.js';

/** As the missions context names missions: a UUID. */
export const missionId = '6b1f0c2e-3d4a-4e5f-8a9b-0c1d2e3f4a5b';
export const applicationId = 'app-0001';
export const personId = 'person-0001';
export const secretariat = 'user-secretariat';
export const kyrgyzCall: RuleSet = kyrgyzstan2023LtoCall(missionId);

const noConflicts = Object.fromEntries(CONFLICT_OF_INTEREST_QUESTIONS.map((q) => [q, false])) as Record<
  ConflictOfInterestQuestion,
  boolean
>;

/** Eligible under the Kyrgyz call: a German citizen with no post, no party, every document. */
export const anna: PersonalData = {
  names: { latin: { given: 'Anna', family: 'Schmidt' }, local: null },
  dateOfBirth: '1980-05-17',
  nationality: 'DE',
  otherCitizenships: [],
  identityDocument: { kind: 'passport', number: 'C01X00T47', issuingCountry: 'DE' },
  contacts: [{ kind: 'email', value: 'anna.schmidt@example.org' }],
  languages: ['de', 'en', 'ru'],
  declarations: {
    conflictsOfInterest: noConflicts,
    documentsProvided: ['passport', 'photo', 'curriculum-vitae', 'signed-code-of-conduct'],
  },
};

/** Anna, changed: `declaring` answers some questions yes, the rest of the fields replace hers. */
export const applicant = (
  changes: Partial<PersonalData> & {
    declaring?: ConflictOfInterestQuestion[];
    documents?: PersonalData['declarations']['documentsProvided'];
  } = {},
): PersonalData => {
  const { declaring = [], documents, ...fields } = changes;
  const conflictsOfInterest = { ...noConflicts };
  for (const question of declaring) conflictsOfInterest[question] = true;
  return {
    ...anna,
    ...fields,
    declarations: {
      conflictsOfInterest,
      documentsProvided: documents ?? anna.declarations.documentsProvided,
    },
  };
};

export const submitted = (person: PersonalData = anna): ApplicationSubmitted => ({
  type: 'ApplicationSubmitted',
  data: {
    applicationId,
    missionId,
    delegation: 'DE',
    role: 'LTO',
    personId,
    person,
    at: '2023-10-01T09:00:00Z',
  },
});

export const screenAgainst = (ruleSet: RuleSet | null, person: PersonalData = anna): ScreenEligibility => ({
  type: 'ScreenEligibility',
  ruleSet,
  facts: applicantFacts(person),
  at: '2023-10-02T09:00:00Z',
});

export const screened = (
  ruleSet: RuleSet = kyrgyzCall,
  failures: EligibilityScreened['data']['failures'] = [],
): EligibilityScreened => ({
  type: 'EligibilityScreened',
  data: {
    applicationId,
    ruleSetId: ruleSet.id,
    ruleSetVersion: ruleSet.version,
    passed: failures.length === 0,
    failures,
    at: '2023-10-02T09:00:00Z',
  },
});

export const approved: ApplicationEvent = {
  type: 'ApplicationApproved',
  data: {
    applicationId,
    by: secretariat,
    reason: null,
    basedOn: { ruleSetId: kyrgyzCall.id, ruleSetVersion: kyrgyzCall.version },
    at: '2023-10-03T09:00:00Z',
  },
};
export const requested: ApplicationEvent = {
  type: 'AccreditationRequested',
  data: {
    applicationId,
    hostBody: 'Central Election Commission of the Kyrgyz Republic',
    by: secretariat,
    at: '2023-10-04T09:00:00Z',
  },
};
export const validTo = '2023-12-15T00:00:00Z';
export const granted: ApplicationEvent = {
  type: 'AccreditationGranted',
  data: {
    applicationId,
    badgeNumber: 'KG-LTO-0042',
    validFrom: '2023-10-20T00:00:00Z',
    validTo,
    conditions: [],
    at: '2023-10-18T09:00:00Z',
  },
};
export const suspended: ApplicationEvent = {
  type: 'AccreditationSuspended',
  data: {
    applicationId,
    by: secretariat,
    reason: 'under review after a complaint',
    at: '2023-11-01T09:00:00Z',
  },
};

const rejected: ApplicationEvent = {
  type: 'ApplicationRejected',
  data: { applicationId, by: secretariat, reason: 'delegation quota filled', at: '2023-10-03T09:00:00Z' },
};
const refused: ApplicationEvent = {
  type: 'AccreditationRefused',
  data: { applicationId, reason: 'list submitted after the deadline', at: '2023-10-18T09:00:00Z' },
};
const revoked: ApplicationEvent = {
  type: 'AccreditationRevoked',
  data: {
    applicationId,
    by: secretariat,
    reason: 'breach of the code of conduct',
    at: '2023-11-02T09:00:00Z',
  },
};
const expired: ApplicationEvent = {
  type: 'AccreditationExpired',
  data: { applicationId, validTo, at: '2023-12-16T00:00:00Z' },
};

/** The history of an application that has come as far as each stage. */
export const historyUntil = {
  submitted: [submitted()],
  screened: [submitted(), screened()],
  approved: [submitted(), screened(), approved],
  requested: [submitted(), screened(), approved, requested],
  granted: [submitted(), screened(), approved, requested, granted],
  suspended: [submitted(), screened(), approved, requested, granted, suspended],
  rejected: [submitted(), screened(), rejected],
  refused: [submitted(), screened(), approved, requested, refused],
  revoked: [submitted(), screened(), approved, requested, granted, revoked],
  expired: [submitted(), screened(), approved, requested, granted, expired],
} satisfies Record<string, ApplicationEvent[]>;
