/**
 * Recent failed logins, so that a restarted process does not forget them: the login throttle is an
 * in-memory cache of these facts (see domain/login-throttle.ts), seeded from this view at start.
 * Reads `login` streams (every attempt since they were introduced) and `user` streams (where accounts
 * kept their attempts before); neither category may leave the identity context (password hashes, digests
 * of what strangers typed).
 */
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Column, Entity, Index, PrimaryColumn, type DataSource, type EntityManager } from 'typeorm';
import type { RecordedEvent } from '#event-sourcing';
import type { Projection } from '#event-sourcing/projections';
import {
  ACCOUNT_POLICY,
  ADDRESS_POLICY,
  KNOWN_ADDRESS_MS,
  PAIR_POLICY,
  type LoginThrottle,
} from '../domain/login-throttle.js';
import type { LoginFailed, LoginSucceeded } from '../domain/user.js';
import { IDENTITY_CLOCK, LOGIN_THROTTLE } from './issue-token.handler.js';

/** Older failures no longer count for any throttle window; they are pruned as new ones come. */
const KEEP_MS = 24 * 60 * 60 * 1000;

@Entity('auth_login_failures')
@Index(['at'])
export class LoginFailureSeen {
  @PrimaryColumn('text', { name: 'event_id' }) eventId!: string;
  /** The user id of a known account, else the `login-<digest>` stream of the email tried. */
  @Column('text') account!: string;
  @Column('text') address!: string;
  @Column('timestamptz') at!: Date;
}

/** Where each account last logged in from: its owner's addresses, which strangers' failures do not hold back. */
@Entity('auth_login_addresses')
export class OwnerAddressSeen {
  @PrimaryColumn('text') account!: string;
  @PrimaryColumn('text') address!: string;
  @Column('timestamptz', { name: 'last_success' }) lastSuccess!: Date;
}

export const loginFailuresProjection: Projection = {
  name: 'auth-login-failures',
  categories: ['user', 'login'],
  entities: [LoginFailureSeen, OwnerAddressSeen],
  async apply(event: RecordedEvent, tx: EntityManager) {
    if (event.type === 'LoginSucceeded') {
      const { userId, address, at } = event.data as LoginSucceeded['data'];
      // As the throttle does: the right password forgives this account and address their failures.
      await tx.delete(LoginFailureSeen, { account: userId, address });
      await tx.query(
        `INSERT INTO auth_login_addresses (account, address, last_success) VALUES ($1, $2, $3)
         ON CONFLICT (account, address) DO UPDATE SET last_success = GREATEST(auth_login_addresses.last_success, EXCLUDED.last_success)`,
        [userId, address, new Date(at)],
      );
      await tx.query('DELETE FROM auth_login_addresses WHERE account = $1 AND last_success < $2', [
        userId,
        new Date(new Date(at).getTime() - KNOWN_ADDRESS_MS),
      ]);
      return;
    }
    if (event.type !== 'LoginFailed') return;
    const data = event.data as LoginFailed['data'];
    // Refused attempts (stored by older versions) are not failures to the throttle: waiting must always work.
    if (data.reason === 'throttled') return;
    const at = new Date(data.at);
    await tx
      .createQueryBuilder()
      .insert()
      .into(LoginFailureSeen)
      .values({ eventId: event.eventId, account: data.userId ?? event.streamId, address: data.address, at })
      .orIgnore()
      .execute();
    await tx.query('DELETE FROM auth_login_failures WHERE at < $1', [new Date(at.getTime() - KEEP_MS)]);
  },
  reset: async (tx: EntityManager) => {
    await tx.clear(LoginFailureSeen);
    await tx.clear(OwnerAddressSeen);
  },
};

/**
 * Gives the throttle the failures of the last window and the owners' addresses at start (as far as the
 * view has caught up).
 */
@Injectable()
export class LoginThrottleSeeding implements OnApplicationBootstrap {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(LOGIN_THROTTLE) private readonly throttle: LoginThrottle,
    @Inject(IDENTITY_CLOCK) private readonly now: () => Date,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const owners: { email: string; address: string; last_success: Date }[] = await this.dataSource.query(
      `SELECT u.email, a.address, a.last_success FROM auth_login_addresses a
         JOIN auth_users u ON u.user_id = a.account
        WHERE a.last_success > $1`,
      [new Date(this.now().getTime() - KNOWN_ADDRESS_MS)],
    );
    for (const row of owners)
      this.throttle.rememberOwnerAddress(
        { email: row.email, address: row.address },
        new Date(row.last_success).getTime(),
      );
    const since = new Date(
      this.now().getTime() - Math.max(PAIR_POLICY.windowMs, ACCOUNT_POLICY.windowMs, ADDRESS_POLICY.windowMs),
    );
    const rows: { email: string | null; account: string; address: string; at: Date }[] =
      await this.dataSource.query(
        `SELECT u.email, f.account, f.address, f.at FROM auth_login_failures f
         LEFT JOIN auth_users u ON u.user_id = f.account
        WHERE f.at > $1 ORDER BY f.at`,
        [since],
      );
    // An email no account has is known here only by its digest: its address still counts, its account
    // count starts afresh (the key never matches what a caller types).
    for (const row of rows)
      this.throttle.recordFailure(
        { email: row.email ?? row.account, address: row.address },
        new Date(row.at).getTime(),
      );
  }
}
