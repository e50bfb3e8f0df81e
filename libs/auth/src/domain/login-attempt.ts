/**
 * Logins with an email that no account has. They are recorded on `login-<sha256 of the normalized email>`:
 * - by email, like the account throttle, so the per-account history is the same fold whether or not the
 *   account exists (and a later registration of that email finds what was tried before it existed);
 * - hashed, because what a stranger typed into the email field is personal data of whoever owns that
 *   mailbox, and a stream id can be neither encrypted nor erased. (An unsalted digest of an email is a
 *   pseudonym, not anonymity: it can be confirmed by someone who already knows the email.)
 * The address of each attempt is in the event, so the per-address view reads `user` and `login` streams alike.
 */
import { createHash } from 'node:crypto';
import { DomainRuleBroken, type Decider } from '#event-sourcing';
import { normalizeEmail, type LoginFailed } from './user.js';

export const loginStreamId = (email: string): string =>
  `login-${createHash('sha256').update(normalizeEmail(email)).digest('hex')}`;

export type LogInUnknownUser = {
  readonly type: 'LogInUnknownUser';
  readonly at: string;
  readonly address: string;
  /** Refused by the throttle before anything was looked at, or looked up and not found. */
  readonly check: 'throttled' | 'no-such-user';
};

/** How many attempts this email has seen: nothing is decided on it, but a decider has a state. */
export type UnknownUserLogins = { readonly attempts: number };

export const unknownUserLoginDecider: Decider<UnknownUserLogins, LogInUnknownUser, LoginFailed> = {
  initialState: () => ({ attempts: 0 }),
  evolve: (state) => ({ attempts: state.attempts + 1 }),
  decide: (command) => {
    if (typeof command.address !== 'string' || command.address.trim() === '')
      throw new DomainRuleBroken('address must not be empty');
    if (typeof command.at !== 'string' || Number.isNaN(Date.parse(command.at)))
      throw new DomainRuleBroken(`"at" must be an ISO 8601 instant, not ${JSON.stringify(command.at)}`);
    return [
      {
        type: 'LoginFailed',
        data: {
          at: command.at,
          address: command.address.trim(),
          reason: command.check === 'throttled' ? 'throttled' : 'unknown-user',
        },
      },
    ];
  },
};
