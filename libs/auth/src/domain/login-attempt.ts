/**
 * Login attempts that reached the password check, recorded on `login-<sha256 of the normalized email>-<UTC day>`,
 * whether or not an account has that email:
 * - apart from the user's stream, so that loading an account to check its password never folds its login
 *   history, and by day, so that no stream an attempt loads grows without bound (the throttle caps the
 *   attempts that get this far; those it refuses are counted on /metrics, not stored);
 * - by email, so the per-account history reads the same whether or not the account exists (and a later
 *   registration of that email finds what was tried before it existed);
 * - hashed, because what a stranger typed into the email field is personal data of whoever owns that
 *   mailbox, and a stream id can be neither encrypted nor erased. (An unsalted digest of an email is a
 *   pseudonym, not anonymity: it can be confirmed by someone who already knows the email.)
 * The address of each attempt is in the event, so the per-address view reads every `login` stream alike.
 */
import { createHash } from 'node:crypto';
import { DomainRuleBroken, type Decider } from '#event-sourcing';
import { normalizeEmail, type LoginFailed, type LoginSucceeded } from './user.js';

const instant = (value: string): string => {
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value)))
    throw new DomainRuleBroken(`"at" must be an ISO 8601 instant, not ${JSON.stringify(value)}`);
  return value;
};

const required = (value: string, what: string): string => {
  const text = typeof value === 'string' ? value.trim() : '';
  if (text === '') throw new DomainRuleBroken(`${what} must not be empty`);
  return text;
};

/** The stream of the attempts made with this email on the UTC day of `at` (an ISO 8601 instant). */
export const loginStreamId = (email: string, at: string): string => {
  const day = new Date(instant(at)).toISOString().slice(0, 10);
  return `login-${createHash('sha256').update(normalizeEmail(email)).digest('hex')}-${day}`;
};

/**
 * One attempt and how the password check went. `account` is the account as the check found it (null: no
 * account has this email); the password was checked against its hash before deciding (slow, not pure).
 */
export type RecordLoginAttempt = {
  readonly type: 'RecordLoginAttempt';
  readonly at: string;
  readonly address: string;
  readonly account: { readonly userId: string; readonly disabled: boolean } | null;
  readonly passwordMatched: boolean;
};

/** How many attempts the day has seen: nothing is decided on it, but a decider has a state. */
export type LoginDay = { readonly attempts: number };

export type LoginAttemptEvent = LoginSucceeded | LoginFailed;

export const decideLoginAttempt = (command: RecordLoginAttempt): LoginAttemptEvent[] => {
  const attempt = { at: instant(command.at), address: required(command.address, 'address') };
  const { account } = command;
  if (account === null) return [{ type: 'LoginFailed', data: { ...attempt, reason: 'unknown-user' } }];
  const userId = required(account.userId, 'user id');
  // A disabled account with a wrong password is told "wrong password": the answer tells nothing more.
  if (!command.passwordMatched)
    return [{ type: 'LoginFailed', data: { userId, ...attempt, reason: 'wrong-password' } }];
  if (account.disabled) return [{ type: 'LoginFailed', data: { userId, ...attempt, reason: 'disabled' } }];
  return [{ type: 'LoginSucceeded', data: { userId, ...attempt } }];
};

export const loginAttemptDecider: Decider<LoginDay, RecordLoginAttempt, LoginAttemptEvent> = {
  initialState: () => ({ attempts: 0 }),
  evolve: (state) => ({ attempts: state.attempts + 1 }),
  decide: decideLoginAttempt,
};
