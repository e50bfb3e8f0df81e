/**
 * The facts of an observer application (stream `application-<id>`), from submission through the
 * secretariat's decision to the host election body's accreditation and its end, and how they fold
 * into state.
 *
 * Personal data sits in one nested `person` object so the application layer can encrypt it as a
 * whole with the person's key (crypto-shredding, DESIGN.md §6). `evolve` never reads it: state keeps
 * only ids, status and dates, and folds the same whether `person` is plaintext, ciphertext or gone.
 */
import type { ApplicantFacts, Declarations, EligibilityFailure } from './eligibility.js';

export const ROLES = ['LTO', 'STO', 'CORE_TEAM'] as const;
export type ObserverRole = (typeof ROLES)[number];

export type PersonName = { readonly given: string; readonly family: string };

/** Everything that identifies a person; erased with the person's key. */
export type PersonalData = {
  readonly names: {
    readonly latin: PersonName;
    /** As written in the person's own script; `script` is an ISO 15924 code such as Cyrl. */
    readonly local: (PersonName & { readonly script: string }) | null;
  };
  /** ISO date, YYYY-MM-DD. */
  readonly dateOfBirth: string;
  /** ISO 3166 alpha-2. */
  readonly nationality: string;
  readonly otherCitizenships: string[];
  readonly identityDocument: {
    readonly kind: 'passport' | 'national-id';
    readonly number: string;
    readonly issuingCountry: string;
  };
  readonly contacts: { readonly kind: 'email' | 'phone' | 'messenger'; readonly value: string }[];
  /** ISO 639-1. */
  readonly languages: string[];
  /** What the applicant declared: conflict-of-interest answers, documents provided. */
  readonly declarations: Declarations;
};

/** What screening needs of a person and nothing more: the application layer builds it after decrypting. */
export const applicantFacts = (person: PersonalData): ApplicantFacts => ({
  dateOfBirth: person.dateOfBirth,
  nationality: person.nationality,
  otherCitizenships: person.otherCitizenships,
  languages: person.languages,
  declarations: person.declarations,
});

type Event<Type extends string, Data> = { readonly type: Type; readonly data: Data };

export type ApplicationSubmitted = Event<
  'ApplicationSubmitted',
  {
    readonly applicationId: string;
    readonly missionId: string;
    /** ISO 3166 alpha-2 of the member-state delegation the observer serves in. */
    readonly delegation: string;
    readonly role: ObserverRole;
    readonly personId: string;
    readonly person: PersonalData;
    readonly at: string;
  }
>;
export type EligibilityScreened = Event<
  'EligibilityScreened',
  {
    readonly applicationId: string;
    readonly ruleSetId: string;
    readonly ruleSetVersion: number;
    readonly passed: boolean;
    /** Every rule that failed, each with its reason. */
    readonly failures: EligibilityFailure[];
    readonly at: string;
  }
>;
export type ApplicationApproved = Event<
  'ApplicationApproved',
  {
    readonly applicationId: string;
    readonly by: string;
    readonly reason: string | null;
    /** The screening the approval rests on. */
    readonly basedOn: { readonly ruleSetId: string; readonly ruleSetVersion: number };
    readonly at: string;
  }
>;
export type ApplicationRejected = Event<
  'ApplicationRejected',
  { readonly applicationId: string; readonly by: string; readonly reason: string; readonly at: string }
>;
export type AccreditationRequested = Event<
  'AccreditationRequested',
  { readonly applicationId: string; readonly hostBody: string; readonly by: string; readonly at: string }
>;
export type AccreditationGranted = Event<
  'AccreditationGranted',
  {
    readonly applicationId: string;
    readonly badgeNumber: string;
    /** ISO instants; the badge is valid from validFrom until validTo. */
    readonly validFrom: string;
    readonly validTo: string;
    /** What the host body attached, e.g. where photo and video are allowed. */
    readonly conditions: string[];
    readonly at: string;
  }
>;
export type AccreditationRefused = Event<
  'AccreditationRefused',
  { readonly applicationId: string; readonly reason: string; readonly at: string }
>;
export type AccreditationSuspended = Event<
  'AccreditationSuspended',
  { readonly applicationId: string; readonly by: string; readonly reason: string; readonly at: string }
>;
export type AccreditationReinstated = Event<
  'AccreditationReinstated',
  { readonly applicationId: string; readonly by: string; readonly at: string }
>;
export type AccreditationRevoked = Event<
  'AccreditationRevoked',
  { readonly applicationId: string; readonly by: string; readonly reason: string; readonly at: string }
>;
export type AccreditationExpired = Event<
  'AccreditationExpired',
  { readonly applicationId: string; readonly validTo: string; readonly at: string }
>;
/** The person's key is destroyed; the history stays whole, the person is forgotten. */
export type PersonErased = Event<
  'PersonErased',
  { readonly applicationId: string; readonly personId: string; readonly by: string; readonly at: string }
>;

export type ApplicationEvent =
  | ApplicationSubmitted
  | EligibilityScreened
  | ApplicationApproved
  | ApplicationRejected
  | AccreditationRequested
  | AccreditationGranted
  | AccreditationRefused
  | AccreditationSuspended
  | AccreditationReinstated
  | AccreditationRevoked
  | AccreditationExpired
  | PersonErased;

export type ApplicationStatus =
  | 'submitted'
  | 'screened'
  | 'approved'
  | 'rejected'
  | 'requested'
  | 'granted'
  | 'refused'
  | 'suspended'
  | 'revoked'
  | 'expired';

export type NoApplication = { readonly status: 'none' };
export type Application = {
  readonly status: ApplicationStatus;
  readonly id: string;
  readonly missionId: string;
  readonly delegation: string;
  readonly role: ObserverRole;
  readonly personId: string;
  /** The latest screening; an earlier one is history, not state. */
  readonly screening: {
    readonly ruleSetId: string;
    readonly ruleSetVersion: number;
    readonly passed: boolean;
  } | null;
  readonly badge: { readonly number: string; readonly validFrom: string; readonly validTo: string } | null;
  readonly personErased: boolean;
};
export type ApplicationState = NoApplication | Application;

export const initialState = (): ApplicationState => ({ status: 'none' });

export const evolve = (state: ApplicationState, event: ApplicationEvent): ApplicationState => {
  if (event.type === 'ApplicationSubmitted') {
    const { applicationId, missionId, delegation, role, personId } = event.data;
    return {
      status: 'submitted',
      id: applicationId,
      missionId,
      delegation,
      role,
      personId,
      screening: null,
      badge: null,
      personErased: false,
    };
  }
  if (state.status === 'none') return state;

  switch (event.type) {
    case 'EligibilityScreened': {
      const { ruleSetId, ruleSetVersion, passed } = event.data;
      return { ...state, status: 'screened', screening: { ruleSetId, ruleSetVersion, passed } };
    }
    case 'ApplicationApproved':
      return { ...state, status: 'approved' };
    case 'ApplicationRejected':
      return { ...state, status: 'rejected' };
    case 'AccreditationRequested':
      return { ...state, status: 'requested' };
    case 'AccreditationGranted': {
      const { badgeNumber, validFrom, validTo } = event.data;
      return { ...state, status: 'granted', badge: { number: badgeNumber, validFrom, validTo } };
    }
    case 'AccreditationRefused':
      return { ...state, status: 'refused' };
    case 'AccreditationSuspended':
      return { ...state, status: 'suspended' };
    case 'AccreditationReinstated':
      return { ...state, status: 'granted' };
    case 'AccreditationRevoked':
      return { ...state, status: 'revoked' };
    case 'AccreditationExpired':
      return { ...state, status: 'expired' };
    case 'PersonErased':
      return { ...state, personErased: true };
    default:
      // An event type this code does not know yet changes nothing it knows about.
      void (event satisfies never);
      return state;
  }
};
