/**
 * Who holds which role in which mission, as the missions context says it (StaffRoleGranted and
 * StaffRoleWithdrawn on `mission` streams): the guard's MissionMembership. Identity keeps its own view
 * of these facts instead of asking the missions context, so the two never call each other.
 */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Entity, PrimaryColumn, type DataSource, type EntityManager } from 'typeorm';
import type { RecordedEvent } from '#event-sourcing';
import type { Projection } from '#event-sourcing/projections';
import type { MissionRole, RolesByMission } from '../domain/roles.js';
import type { MissionMembership } from '../mission-membership.js';

@Entity('auth_mission_roles')
export class MissionRoleHeld {
  @PrimaryColumn('text', { name: 'user_id' }) userId!: string;
  @PrimaryColumn('text', { name: 'mission_id' }) missionId!: string;
  @PrimaryColumn('text') role!: MissionRole;
}

/** The part of the missions context's events this view reads (its published shape, not its code). */
type StaffRoleChange = {
  readonly type: 'StaffRoleGranted' | 'StaffRoleWithdrawn';
  readonly data: { readonly missionId: string; readonly userId: string; readonly role: MissionRole };
};

export const missionRolesProjection: Projection = {
  name: 'auth-mission-roles',
  categories: ['mission'],
  entities: [MissionRoleHeld],
  async apply(event: RecordedEvent, tx: EntityManager) {
    if (event.type !== 'StaffRoleGranted' && event.type !== 'StaffRoleWithdrawn') return;
    const { missionId, userId, role } = (event as unknown as StaffRoleChange).data;
    if (event.type === 'StaffRoleGranted')
      await tx
        .createQueryBuilder()
        .insert()
        .into(MissionRoleHeld)
        .values({ missionId, userId, role })
        .orIgnore()
        .execute();
    else await tx.delete(MissionRoleHeld, { missionId, userId, role });
  },
  reset: (tx: EntityManager) => tx.clear(MissionRoleHeld),
};

@Injectable()
export class ProjectedMissionMembership implements MissionMembership {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async rolesOf(userId: string): Promise<RolesByMission> {
    const rows = await this.dataSource.getRepository(MissionRoleHeld).findBy({ userId });
    const roles = new Map<string, Set<MissionRole>>();
    for (const row of rows) roles.set(row.missionId, (roles.get(row.missionId) ?? new Set()).add(row.role));
    return roles;
  }
}
