/** Answers from the missions read model. The gateway has authorized the caller; the mission filter is kept here too. */
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { NotFound } from '#event-sourcing';
import { readPage, type Keyset, type Page } from '#platform';
import {
  detailOf,
  MissionView,
  summaryOf,
  type MissionDetail,
  type MissionSummary,
} from './mission.read-model.js';
import { GetMission, ListMissions } from './queries.js';

/** Oldest first. Opening times come from the events' `occurredAt` (milliseconds), so the ISO form is exact. */
const MISSIONS_ORDER: Keyset<MissionView> = {
  list: 'missions',
  keys: [
    { sql: 'm.opened_at', type: 'timestamptz', of: (view) => view.openedAt.toISOString() },
    { sql: 'm.mission_id', type: 'text', of: (view) => view.missionId },
  ],
};

@QueryHandler(ListMissions)
export class ListMissionsHandler implements IQueryHandler<ListMissions, Page<MissionSummary>> {
  constructor(@InjectRepository(MissionView) private readonly views: Repository<MissionView>) {}

  execute({ principal, page }: ListMissions): Promise<Page<MissionSummary>> {
    const query = this.views.createQueryBuilder('m');
    if (principal.platformRole !== 'admin')
      query.where('m.mission_id = ANY(:own)', { own: Object.keys(principal.missionRoles) });
    return readPage(query, MISSIONS_ORDER, null, page, (rows) => rows.map(summaryOf));
  }
}

@QueryHandler(GetMission)
export class GetMissionHandler implements IQueryHandler<GetMission, MissionDetail> {
  constructor(@InjectRepository(MissionView) private readonly views: Repository<MissionView>) {}

  async execute({ payload: { missionId }, principal }: GetMission): Promise<MissionDetail> {
    const member = principal.platformRole === 'admin' || (principal.missionRoles[missionId]?.length ?? 0) > 0;
    const view = member ? await this.views.findOneBy({ missionId }) : null;
    if (!view) throw new NotFound(`there is no mission ${missionId}`);
    return detailOf(view);
  }
}

export const MISSION_QUERY_HANDLERS = [ListMissionsHandler, GetMissionHandler];
