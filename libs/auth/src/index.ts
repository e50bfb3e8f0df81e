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
  type LogIn,
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
