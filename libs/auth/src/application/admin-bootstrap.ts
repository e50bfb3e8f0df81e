/**
 * On first start, the platform gets its administrator: OBSERVA_ADMIN_EMAIL (default admin@observa.local)
 * with OBSERVA_ADMIN_PASSWORD, or a generated password printed to the log once, when the account is made.
 * The administrator has a fixed user id, so "no administrator yet" is "no stream for that id", and two
 * processes starting at once create one account (the second is refused by the decider and says nothing).
 */
import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import {
  CommandHandler,
  DomainRuleBroken,
  EVENT_STORE,
  IdempotencyMismatch,
  nameBasedUuid,
  type EventStore,
} from '#event-sourcing';
import { ConfigInvalid, type AppConfig } from '#platform';
import { userDecider } from '../domain/user.decide.js';
import { normalizeEmail, userStreamId } from '../domain/user.js';
import { hashPassword } from '../password.js';
import { MIN_PASSWORD_LENGTH } from './password-policy.js';

export const BOOTSTRAP_ADMIN_ID = nameBasedUuid('user\nbootstrap-administrator');
export const DEFAULT_ADMIN_EMAIL = 'admin@observa.local';

export type AdminAccount = { readonly email: string; readonly password?: string };
export const ADMIN_ACCOUNT = Symbol('AdminAccount');

/** @throws ConfigInvalid when OBSERVA_ADMIN_PASSWORD is set but too short */
export const adminAccountFrom = (config: Pick<AppConfig, 'adminEmail' | 'adminPassword'>): AdminAccount => {
  const email = normalizeEmail(config.adminEmail ?? DEFAULT_ADMIN_EMAIL);
  const password = config.adminPassword;
  if (password !== undefined && password.length < MIN_PASSWORD_LENGTH)
    throw new ConfigInvalid([
      `OBSERVA_ADMIN_PASSWORD is invalid: expected at least ${MIN_PASSWORD_LENGTH} characters`,
    ]);
  return { email, ...(password !== undefined && { password }) };
};

@Injectable()
export class AdminBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger('Identity');

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(ADMIN_ACCOUNT) private readonly admin: AdminAccount,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const streamId = userStreamId(BOOTSTRAP_ADMIN_ID);
    if ((await this.store.readStream(streamId, { maxCount: 1 })).length > 0) return;
    const password = this.admin.password ?? randomBytes(18).toString('base64url');
    const commandId = nameBasedUuid(`command\n${streamId}\nbootstrap`);
    try {
      const result = await new CommandHandler(this.store).handle(
        userDecider,
        streamId,
        {
          type: 'RegisterUser',
          userId: BOOTSTRAP_ADMIN_ID,
          email: this.admin.email,
          passwordHash: await hashPassword(password),
          platformRole: 'admin',
        },
        { commandId, actor: { userId: BOOTSTRAP_ADMIN_ID, role: 'bootstrap' } },
      );
      if (!result.appended) return;
    } catch (error) {
      // Another process made it first.
      if (error instanceof DomainRuleBroken || error instanceof IdempotencyMismatch) return;
      throw error;
    }
    if (this.admin.password) this.logger.log(`created the platform administrator ${this.admin.email}`);
    else
      this.logger.warn(
        `created the platform administrator ${this.admin.email} with the password ${password} — shown this once; ` +
          'set OBSERVA_ADMIN_PASSWORD to choose it',
      );
  }
}
