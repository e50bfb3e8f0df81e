/**
 * Who holds which role in which mission, as the missions context says it (StaffRoleGranted and
 * StaffRoleWithdrawn on `mission` streams, as it publishes them: `#published/missions`): the guard's
 * MissionMembership. Identity keeps its own view of these facts instead of asking the missions context,
 * so the two never call each other.
 */
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Entity, PrimaryColumn, type DataSource, type EntityManager } from 'typeorm';
import { EVENT_STORE, type EventStore, type RecordedEvent } from '#event-sourcing';
import type { Projection } from '#event-sourcing/projections';
import { MISSION_CATEGORY, type StaffRoleGranted, type StaffRoleWithdrawn } from '#published/missions';
import type { MissionRole, RolesByMission } from '../domain/roles.js';
import type { MissionMembership } from '../mission-membership.js';

@Entity('auth_mission_roles')
export class MissionRoleHeld {
  @PrimaryColumn('text', { name: 'user_id' }) userId!: string;
  @PrimaryColumn('text', { name: 'mission_id' }) missionId!: string;
  @PrimaryColumn('text') role!: MissionRole;
}

export const missionRolesProjection: Projection = {
  name: 'auth-mission-roles',
  categories: [MISSION_CATEGORY],
  entities: [MissionRoleHeld],
  async apply(event: RecordedEvent, tx: EntityManager) {
    if (event.type !== 'StaffRoleGranted' && event.type !== 'StaffRoleWithdrawn') return;
    const { missionId, userId, role } = event.data as unknown as StaffRoleGranted | StaffRoleWithdrawn;
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
  /** Missions never go away: once seen, a mission is known for the life of the process. */
  private readonly known = new Set<string>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  /**
   * Asked of the store, not of a view: a mission opened a moment ago exists at once (its stream's
   * first event is MissionOpened, on the missions context's published stream `mission-<id>`).
   */
  async exists(missionId: string): Promise<boolean> {
    if (this.known.has(missionId)) return true;
    const [first] = await this.store.readStream(`${MISSION_CATEGORY}-${missionId}`, { maxCount: 1 });
    if (first === undefined) return false;
    this.known.add(missionId);
    return true;
  }

  async rolesOf(userId: string): Promise<RolesByMission> {
    const rows = await this.dataSource.getRepository(MissionRoleHeld).findBy({ userId });
    const roles = new Map<string, Set<MissionRole>>();
    for (const row of rows) roles.set(row.missionId, (roles.get(row.missionId) ?? new Set()).add(row.role));
    return roles;
  }
}
