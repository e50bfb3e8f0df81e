/**
 * Recent failed logins, so that a restarted process does not forget them: the login throttle is an
 * in-memory cache of these facts (see domain/login-throttle.ts), seeded from this view at start.
 * Reads `user` streams (known accounts) and `login` streams (emails no account has); neither category
 * may leave the identity context (password hashes, digests of what strangers typed).
 */
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Column, Entity, Index, PrimaryColumn, type DataSource, type EntityManager } from 'typeorm';
import type { RecordedEvent } from '#event-sourcing';
import type { Projection } from '#event-sourcing/projections';
import { ACCOUNT_POLICY, ADDRESS_POLICY, type LoginThrottle } from '../domain/login-throttle.js';
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

export const loginFailuresProjection: Projection = {
  name: 'auth-login-failures',
  categories: ['user', 'login'],
  entities: [LoginFailureSeen],
  async apply(event: RecordedEvent, tx: EntityManager) {
    if (event.type === 'LoginSucceeded') {
      // As the throttle does: the right password forgives the account its failures.
      await tx.delete(LoginFailureSeen, { account: (event.data as LoginSucceeded['data']).userId });
      return;
    }
    if (event.type !== 'LoginFailed') return;
    const data = event.data as LoginFailed['data'];
    // Refused attempts are not failures to the throttle: waiting out a refusal must always work.
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
  reset: (tx: EntityManager) => tx.clear(LoginFailureSeen),
};

/** Gives the throttle the failures of the last window at start (as far as the view has caught up). */
@Injectable()
export class LoginThrottleSeeding implements OnApplicationBootstrap {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(LOGIN_THROTTLE) private readonly throttle: LoginThrottle,
    @Inject(IDENTITY_CLOCK) private readonly now: () => Date,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const since = new Date(this.now().getTime() - Math.max(ACCOUNT_POLICY.windowMs, ADDRESS_POLICY.windowMs));
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
