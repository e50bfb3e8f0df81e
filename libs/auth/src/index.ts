/** Identity and access for Observa: accounts, passwords, tokens, login throttling, mission roles, the HTTP guard. */
export * from './domain/roles.js';
export {
  LOGIN_FAILURE_REASONS,
  normalizeEmail,
  userStreamId,
  type LoginFailed,
  type LoginFailureReason,
  type LoginSucceeded,
  type PasswordChanged,
  type User,
  type UserDisabled,
  type UserEvent,
  type UserRegistered,
} from './domain/user.js';
export {
  userDecider,
  type ChangePassword,
  type DisableUser,
  type RegisterUser,
  type UserCommand,
} from './domain/user.decide.js';
export * from './domain/login-attempt.js';
export * from './domain/login-throttle.js';
export * from './password.js';
export * from './token.js';
export * from './auth-config.js';
export * from './mission-membership.js';
export * from './auth.decorators.js';
export * from './auth.guard.js';
export * from './auth.module.js';
export * from './too-many-logins.js';
export * from './write-context.js';
export { IdempotentUploads, IdempotentWrites, REPLAYED_HEADER } from './idempotency/idempotent-writes.js';
export * from './application/plain-request.js';
export { IdentityModule, type IdentityModuleOptions } from './application/identity.module.js';
export { BOOTSTRAP_ADMIN_ID, DEFAULT_ADMIN_EMAIL } from './application/admin-bootstrap.js';
export type { AccessTokenReply } from './application/commands.js';
export type { CurrentUser } from './application/queries.js';
/** The identity context's commands and queries by class name, as a bridge (gRPC) looks them up. */
export * as identityCommands from './application/commands.js';
export * as identityQueries from './application/queries.js';
export { LOGIN_THROTTLE } from './application/issue-token.handler.js';
export { LoginTurns } from './application/login-turns.js';
