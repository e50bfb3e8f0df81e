/** Answers from the missions read model. The gateway has authorized the caller; the mission filter is kept here too. */
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { InjectRepository } from '@nestjs/typeorm';
import { In, type Repository } from 'typeorm';
import { NotFound } from '#event-sourcing';
import {
  detailOf,
  MissionView,
  summaryOf,
  type MissionDetail,
  type MissionSummary,
} from './mission.read-model.js';
import { GetMission, ListMissions } from './queries.js';

@QueryHandler(ListMissions)
export class ListMissionsHandler implements IQueryHandler<ListMissions, MissionSummary[]> {
  constructor(@InjectRepository(MissionView) private readonly views: Repository<MissionView>) {}

  async execute({ principal }: ListMissions): Promise<MissionSummary[]> {
    const order = { openedAt: 'ASC', missionId: 'ASC' } as const;
    const own = Object.keys(principal.missionRoles);
    if (principal.platformRole !== 'admin' && own.length === 0) return [];
    const views =
      principal.platformRole === 'admin'
        ? await this.views.find({ order })
        : await this.views.find({ where: { missionId: In(own) }, order });
    return views.map(summaryOf);
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
