/**
 * Accounts by email, for logging in and for "who am I": a projection of the `user` streams.
 *
 * The `user` category carries password hashes in its events: it must never be relayed to Kafka or any
 * other transport that leaves the identity context's own process and database. This projection is fed
 * in-process only (ProjectionHost on the store), and stays that way in the distributed mode too.
 */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Column, Entity, PrimaryColumn, type DataSource, type EntityManager } from 'typeorm';
import type { RecordedEvent } from '#event-sourcing';
import type { Projection } from '#event-sourcing/projections';
import type { PlatformRole } from '../domain/roles.js';
import type { AccountStatus } from '../mission-membership.js';
import type { UserEvent } from '../domain/user.js';

@Entity('auth_users')
export class UserAccount {
  @PrimaryColumn('text', { name: 'user_id' }) userId!: string;
  /** Normalized (see normalizeEmail). */
  @Column('text', { unique: true }) email!: string;
  @Column('text') status!: 'active' | 'disabled';
  @Column('text', { name: 'password_hash' }) passwordHash!: string;
  @Column('text', { name: 'platform_role', nullable: true }) platformRole!: PlatformRole | null;
  @Column('timestamptz', { name: 'registered_at' }) registeredAt!: Date;
}

const applyUserEvent = async (event: UserEvent, occurredAt: string, tx: EntityManager): Promise<void> => {
  switch (event.type) {
    case 'UserRegistered': {
      const { userId, email, passwordHash, platformRole } = event.data;
      await tx
        .createQueryBuilder()
        .insert()
        .into(UserAccount)
        .values({
          userId,
          email,
          passwordHash,
          status: 'active',
          platformRole: platformRole ?? null,
          registeredAt: new Date(occurredAt),
        })
        .orIgnore()
        .execute();
      return;
    }
    case 'PasswordChanged':
      await tx.update(UserAccount, { userId: event.data.userId }, { passwordHash: event.data.passwordHash });
      return;
    case 'UserDisabled':
      await tx.update(UserAccount, { userId: event.data.userId }, { status: 'disabled' });
      return;
    case 'LoginSucceeded':
    case 'LoginFailed':
      return;
    default: {
      const unhandled: never = event;
      return unhandled;
    }
  }
};

export const usersProjection: Projection = {
  name: 'auth-users',
  categories: ['user'],
  entities: [UserAccount],
  apply: (event: RecordedEvent, tx: EntityManager) =>
    applyUserEvent({ type: event.type, data: event.data } as UserEvent, event.metadata.occurredAt, tx),
  reset: (tx: EntityManager) => tx.clear(UserAccount),
};

/** The guard's view of whether an account is disabled (accounts it does not know are not: external issuers). */
@Injectable()
export class ProjectedAccountStatus implements AccountStatus {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async isDisabled(userId: string): Promise<boolean> {
    const account = await this.dataSource
      .getRepository(UserAccount)
      .findOne({ where: { userId }, select: { status: true } });
    return account?.status === 'disabled';
  }
}
