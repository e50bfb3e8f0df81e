/** What other rooms may use of the accreditation context: its domain (events, commands, rules). */
export * from './domain/eligibility.js';
export * from './domain/eligibility.validate.js';
export * from './domain/rule-sets.js';
export {
  applicantFacts,
  evolve as evolveApplication,
  initialState as initialApplicationState,
  ROLES,
} from './domain/application.js';
export type {
  AccreditationExpired,
  AccreditationGranted,
  AccreditationReinstated,
  AccreditationRefused,
  AccreditationRequested,
  AccreditationRevoked,
  AccreditationSuspended,
  Application,
  ApplicationApproved,
  ApplicationEvent,
  ApplicationRejected,
  ApplicationState,
  ApplicationStatus,
  ApplicationSubmitted,
  EligibilityScreened,
  NoApplication,
  ObserverRole,
  PersonalData,
  PersonErased,
  PersonName,
} from './domain/application.js';
export { applicationDecider, decide as decideApplication } from './domain/application.decide.js';
export type {
  ApplicationCommand,
  ApproveApplication,
  ErasePerson,
  ExpireAccreditation,
  GrantAccreditation,
  ReinstateAccreditation,
  RefuseAccreditation,
  RejectApplication,
  RequestAccreditation,
  RevokeAccreditation,
  ScreenEligibility,
  SubmitApplication,
  SuspendAccreditation,
} from './domain/application.commands.js';
export * from './application/commands.js';
export * from './application/queries.js';
export { AccreditationModule } from './application/accreditation.module.js';
export { ACCREDITATION_CLOCK, type Clock } from './application/accreditation-desk.js';
export { applicationIdFor, personIdFor, applicationStream } from './application/identities.js';
export { ApplicationRow, RuleSetRow, accreditationProjection } from './application/read-models.js';
/** Errors of this context that cross the wire by name (the hosts register every exported one). */
export { InvalidRuleSet } from './application/command-handlers.js';
export { BadgeNumberTaken } from './application/badge.stream.js';
