/**
 * Logging in: wait for this account and address's turn, throttle, check the password, record the attempt
 * (every one that reached the check, failed or not), sign a token. Attempts the throttle refuses are counted
 * and logged, not stored: an attacker must not be able to grow the history at will.
 * Wrong email and wrong password get the same answer in about the same time.
 */
import { randomUUID } from 'node:crypto';
import { Inject, UnauthorizedException } from '@nestjs/common';
import { CommandHandler as HandlesCommand, type ICommandHandler } from '@nestjs/cqrs';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { CommandHandler, EVENT_STORE, NotFound, type CommandContext, type EventStore } from '#event-sourcing';
import { AUTH_CONFIG } from '../auth.module.js';
import { loginAttemptDecider, loginStreamId } from '../domain/login-attempt.js';
import { pairKey, type LoginThrottle, type ThrottleDecision } from '../domain/login-throttle.js';
import { userDecider } from '../domain/user.decide.js';
import { normalizeEmail, userStreamId } from '../domain/user.js';
import { verifyNobody, verifyPassword } from '../password.js';
import { issueAccessToken, type AuthConfig } from '../token.js';
import { TooManyLoginAttempts } from '../too-many-logins.js';
import { IssueToken, type AccessTokenReply } from './commands.js';
import { LoginTurns } from './login-turns.js';
import { UserAccount } from './users.read-model.js';

export const LOGIN_THROTTLE = Symbol('LoginThrottle');
export const IDENTITY_CLOCK = Symbol('IdentityClock');
/** Told of every attempt the throttle refuses (for /metrics and the log); not an event. */
export const LOGIN_REFUSALS = Symbol('LoginRefusals');
export type LoginRefusals = (refusal: Extract<ThrottleDecision, { allowed: false }>) => void;

const WRONG_CREDENTIALS = 'The email or the password is wrong.';

@HandlesCommand(IssueToken)
export class IssueTokenHandler implements ICommandHandler<IssueToken, AccessTokenReply> {
  private readonly commands: CommandHandler;
  private readonly turns = new LoginTurns();

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @InjectRepository(UserAccount) private readonly users: Repository<UserAccount>,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    @Inject(LOGIN_THROTTLE) private readonly throttle: LoginThrottle,
    @Inject(IDENTITY_CLOCK) private readonly now: () => Date,
    @Inject(LOGIN_REFUSALS) private readonly refusals: LoginRefusals,
  ) {
    this.commands = new CommandHandler(store, { now });
  }

  async execute({ payload, context }: IssueToken): Promise<AccessTokenReply> {
    if (this.config.oidc)
      throw new NotFound('local login is off: this deployment trusts tokens of an external issuer');
    const attempt = { email: normalizeEmail(payload.email), address: payload.address };
    return this.turns.take(pairKey(attempt), () => this.logIn(attempt, payload.password, context));
  }

  private async logIn(
    attempt: { email: string; address: string },
    password: string,
    context: CommandContext,
  ): Promise<AccessTokenReply> {
    const decision = this.throttle.admit(attempt);
    if (!decision.allowed) {
      this.refusals(decision);
      throw new TooManyLoginAttempts(decision.retryAfterSeconds);
    }
    const { email, address } = attempt;
    const at = this.now().toISOString();
    const account = await this.users.findOneBy({ email });
    // The stream, not the read model, says what the password and the status are now.
    const user = account ? (await this.commands.load(userDecider, userStreamId(account.userId))).state : null;
    if (user?.status === 'unregistered') throw new Error(`user ${account!.userId} is in the read model only`);
    const matched = user ? await verifyPassword(password, user.passwordHash) : await verifyNobody(password);
    await this.commands.handle(
      loginAttemptDecider,
      loginStreamId(email, at),
      {
        type: 'RecordLoginAttempt',
        at,
        address,
        account: user ? { userId: user.userId, disabled: user.status === 'disabled' } : null,
        passwordMatched: matched,
      },
      this.contextFor(context, user?.userId),
    );
    if (!user || !matched || user.status !== 'active') throw new UnauthorizedException(WRONG_CREDENTIALS);
    this.throttle.succeeded(attempt);
    const token = await issueAccessToken(
      {
        userId: user.userId,
        email: user.email,
        ...(user.platformRole && { platformRole: user.platformRole }),
      },
      this.config.tokens,
      this.now(),
      randomUUID(),
    );
    return { accessToken: token.accessToken, tokenType: 'Bearer', expiresIn: token.expiresIn };
  }

  /** Each attempt is its own command; the one who tries is the actor when the account is known. */
  private contextFor(context: CommandContext, userId?: string): CommandContext {
    return {
      ...context,
      commandId: randomUUID(),
      ...(userId !== undefined && { actor: { userId, role: 'user' } }),
    };
  }
}
