/** The missions-view read model: one row per mission, its delegations and staff inline, fed by the mission streams. */
import { Column, Entity, PrimaryColumn, type EntityManager } from 'typeorm';
import type { RecordedEvent } from '#event-sourcing';
import type { Projection } from '#event-sourcing/projections';
import type { Delegation, Election, MissionEvent, StaffRole } from '../domain/mission.js';

export type StaffMember = { readonly userId: string; readonly roles: StaffRole[] };

@Entity('missions_view')
export class MissionView {
  @PrimaryColumn('text', { name: 'mission_id' }) missionId!: string;
  @Column('text') name!: string;
  @Column('text') organisation!: string;
  @Column('text', { name: 'host_country' }) hostCountry!: string;
  @Column('jsonb') election!: Election;
  @Column('text') status!: 'open' | 'closed';
  @Column('jsonb') delegations!: Delegation[];
  @Column('jsonb') staff!: StaffMember[];
  @Column('timestamptz', { name: 'opened_at' }) openedAt!: Date;
  @Column('timestamptz', { name: 'closed_at', nullable: true }) closedAt!: Date | null;
  /** Of the last event applied: a redelivered event (at or below it) changes nothing. */
  @Column('bigint', { name: 'stream_version' }) streamVersion!: string;
}

const byKey =
  <T>(key: (item: T) => string) =>
  (a: T, b: T) =>
    key(a).localeCompare(key(b));

const withRole = (staff: StaffMember[], userId: string, role: StaffRole, held: boolean): StaffMember[] => {
  const roles = new Set(staff.find((member) => member.userId === userId)?.roles);
  if (held) roles.add(role);
  else roles.delete(role);
  const others = staff.filter((member) => member.userId !== userId);
  return (roles.size === 0 ? others : [...others, { userId, roles: [...roles].sort() }]).sort(
    byKey((member) => member.userId),
  );
};

/** The view after one more event of its mission (the opening makes it). */
const evolveView = (view: MissionView, event: MissionEvent, occurredAt: Date): MissionView => {
  switch (event.type) {
    case 'MissionOpened':
      return view;
    case 'DelegationJoined': {
      const { country, headOfDelegation } = event.data;
      const delegations = [
        ...view.delegations.filter((d) => d.country !== country),
        { country, headOfDelegation },
      ];
      return { ...view, delegations: delegations.sort(byKey((d) => d.country)) };
    }
    case 'DelegationLeft':
      return { ...view, delegations: view.delegations.filter((d) => d.country !== event.data.country) };
    case 'StaffRoleGranted':
      return { ...view, staff: withRole(view.staff, event.data.userId, event.data.role, true) };
    case 'StaffRoleWithdrawn':
      return { ...view, staff: withRole(view.staff, event.data.userId, event.data.role, false) };
    case 'MissionClosed':
      return { ...view, status: 'closed', closedAt: occurredAt };
    default: {
      const unhandled: never = event;
      return unhandled;
    }
  }
};

export const missionsProjection: Projection = {
  name: 'missions-view',
  categories: ['mission'],
  entities: [MissionView],
  async apply(recorded: RecordedEvent, tx: EntityManager) {
    const event = { type: recorded.type, data: recorded.data } as MissionEvent;
    const occurredAt = new Date(recorded.metadata.occurredAt);
    const version = recorded.streamVersion.toString();
    if (event.type === 'MissionOpened') {
      const { missionId, name, organisation, hostCountry, election } = event.data;
      await tx
        .createQueryBuilder()
        .insert()
        .into(MissionView)
        .values({
          missionId,
          name,
          organisation,
          hostCountry,
          election,
          status: 'open',
          delegations: [],
          staff: [],
          openedAt: occurredAt,
          closedAt: null,
          streamVersion: version,
        })
        .orIgnore()
        .execute();
      return;
    }
    const view = await tx.findOneBy(MissionView, { missionId: event.data.missionId });
    if (!view || BigInt(view.streamVersion) >= recorded.streamVersion) return;
    await tx.save(MissionView, { ...evolveView(view, event, occurredAt), streamVersion: version });
  },
  reset: (tx: EntityManager) => tx.clear(MissionView),
};
