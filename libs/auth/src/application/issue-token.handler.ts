/**
 * Logging in: throttle, check the password, record the attempt (every one, failed or not), sign a token.
 * Wrong email and wrong password get the same answer in about the same time.
 */
import { randomUUID } from 'node:crypto';
import { Inject, UnauthorizedException } from '@nestjs/common';
import { CommandHandler as HandlesCommand, type ICommandHandler } from '@nestjs/cqrs';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { CommandHandler, EVENT_STORE, NotFound, type CommandContext, type EventStore } from '#event-sourcing';
import { AUTH_CONFIG } from '../auth.module.js';
import { loginStreamId, unknownUserLoginDecider, type LogInUnknownUser } from '../domain/login-attempt.js';
import type { LoginThrottle } from '../domain/login-throttle.js';
import { userDecider, type LogIn } from '../domain/user.decide.js';
import { normalizeEmail, userStreamId } from '../domain/user.js';
import { verifyNobody, verifyPassword } from '../password.js';
import { issueAccessToken, type AuthConfig } from '../token.js';
import { TooManyLoginAttempts } from '../too-many-logins.js';
import { IssueToken, type AccessTokenReply } from './commands.js';
import { UserAccount } from './users.read-model.js';

export const LOGIN_THROTTLE = Symbol('LoginThrottle');
export const IDENTITY_CLOCK = Symbol('IdentityClock');

const WRONG_CREDENTIALS = 'The email or the password is wrong.';

@HandlesCommand(IssueToken)
export class IssueTokenHandler implements ICommandHandler<IssueToken, AccessTokenReply> {
  private readonly commands: CommandHandler;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @InjectRepository(UserAccount) private readonly users: Repository<UserAccount>,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    @Inject(LOGIN_THROTTLE) private readonly throttle: LoginThrottle,
    @Inject(IDENTITY_CLOCK) private readonly now: () => Date,
  ) {
    this.commands = new CommandHandler(store, { now });
  }

  async execute({ payload, context }: IssueToken): Promise<AccessTokenReply> {
    if (this.config.oidc)
      throw new NotFound('local login is off: this deployment trusts tokens of an external issuer');
    const email = normalizeEmail(payload.email);
    const attempt = { email, address: payload.address };
    const at = this.now().toISOString();
    const account = await this.users.findOneBy({ email });
    const { address } = payload;
    /** Every attempt becomes an event: on the account's stream, or on the stream of the email tried. */
    const record = (check: LogIn['check'] | LogInUnknownUser['check']) =>
      account && check !== 'no-such-user'
        ? this.commands.handle(
            userDecider,
            userStreamId(account.userId),
            { type: 'LogIn', at, address, check },
            this.contextFor(context, account.userId),
          )
        : this.commands.handle(
            unknownUserLoginDecider,
            loginStreamId(email),
            {
              type: 'LogInUnknownUser',
              at,
              address,
              check: check === 'throttled' ? 'throttled' : 'no-such-user',
            },
            this.contextFor(context),
          );

    const decision = this.throttle.admit(attempt);
    if (!decision.allowed) {
      await record('throttled');
      throw new TooManyLoginAttempts(decision.retryAfterSeconds);
    }
    if (!account) {
      await verifyNobody(payload.password);
      await record('no-such-user');
      throw new UnauthorizedException(WRONG_CREDENTIALS);
    }
    // The stream, not the read model, says what the password and the status are now.
    const { state } = await this.commands.load(userDecider, userStreamId(account.userId));
    if (state.status === 'unregistered') throw new Error(`user ${account.userId} is in the read model only`);
    const matched = await verifyPassword(payload.password, state.passwordHash);
    await record(matched ? 'password-matched' : 'password-mismatched');
    if (!matched || state.status !== 'active') throw new UnauthorizedException(WRONG_CREDENTIALS);
    this.throttle.succeeded(attempt);
    const token = await issueAccessToken(
      {
        userId: state.userId,
        email: state.email,
        ...(state.platformRole && { platformRole: state.platformRole }),
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
