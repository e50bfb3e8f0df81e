/** What the secretariat and the host election body can ask of an observer application; time comes in as `at`. */
import type { ObserverRole, PersonalData } from './application.js';
import type { ApplicantFacts, RuleSet } from './eligibility.js';

export type SubmitApplication = {
  readonly type: 'SubmitApplication';
  readonly applicationId: string;
  readonly missionId: string;
  readonly delegation: string;
  readonly role: ObserverRole;
  readonly personId: string;
  readonly person: PersonalData;
  readonly at: string;
};
export type ScreenEligibility = {
  readonly type: 'ScreenEligibility';
  /** The mission's current rule set; a screening without one is refused. */
  readonly ruleSet: RuleSet | null;
  /** Built by the application layer from the decrypted person (see `applicantFacts`). */
  readonly facts: ApplicantFacts;
  readonly at: string;
};
export type ApproveApplication = {
  readonly type: 'ApproveApplication';
  readonly by: string;
  readonly reason?: string;
  readonly at: string;
};
export type RejectApplication = {
  readonly type: 'RejectApplication';
  readonly by: string;
  readonly reason: string;
  readonly at: string;
};
export type RequestAccreditation = {
  readonly type: 'RequestAccreditation';
  readonly hostBody: string;
  readonly by: string;
  readonly at: string;
};
export type GrantAccreditation = {
  readonly type: 'GrantAccreditation';
  readonly badgeNumber: string;
  readonly validFrom: string;
  readonly validTo: string;
  readonly conditions: readonly string[];
  readonly at: string;
};
export type RefuseAccreditation = {
  readonly type: 'RefuseAccreditation';
  readonly reason: string;
  readonly at: string;
};
export type SuspendAccreditation = {
  readonly type: 'SuspendAccreditation';
  readonly by: string;
  readonly reason: string;
  readonly at: string;
};
export type ReinstateAccreditation = {
  readonly type: 'ReinstateAccreditation';
  readonly by: string;
  readonly at: string;
};
export type RevokeAccreditation = {
  readonly type: 'RevokeAccreditation';
  readonly by: string;
  readonly reason: string;
  readonly at: string;
};
/** Issued when validTo may have passed; `now` is the caller's clock. */
export type ExpireAccreditation = { readonly type: 'ExpireAccreditation'; readonly now: string };
export type ErasePerson = { readonly type: 'ErasePerson'; readonly by: string; readonly at: string };

export type ApplicationCommand =
  | SubmitApplication
  | ScreenEligibility
  | ApproveApplication
  | RejectApplication
  | RequestAccreditation
  | GrantAccreditation
  | RefuseAccreditation
  | SuspendAccreditation
  | ReinstateAccreditation
  | RevokeAccreditation
  | ExpireAccreditation
  | ErasePerson;
