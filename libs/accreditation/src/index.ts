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
export type { ApplicationView, PersonView } from './applications-view/queries.js';
export type { ApplicationStep } from './take-application-step/take-application-step.js';
export type {
  ImportFormat,
  ImportJobView,
  ImportReport,
  ImportRowReport,
} from './imports/import-applications.js';
export { AccreditationModule } from './accreditation.module.js';
export { ACCREDITATION, type Accreditation } from './accreditation.contract.js';
export { AccreditationService, accreditationService } from './accreditation.service.js';
export { ACCREDITATION_CLOCK, type Clock } from './clock.js';
export { applicationIdFor, personIdFor, applicationStream } from './identities.js';
export {
  ApplicationRow,
  RuleSetRow,
  accreditationProjection,
} from './applications-view/applications.projection.js';
/** This context's own errors (AccreditationProblemFilter answers them as Problems over gRPC). */
export { InvalidRuleSet } from './publish-rule-set/publish-rule-set.js';
export { BadgeNumberTaken } from './domain/badge.js';
