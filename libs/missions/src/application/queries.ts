/** The missions context's queries: plain data; `principal` is who asks, as the gateway authenticated them. */
import { Query } from '@nestjs/cqrs';
import type { PrincipalSnapshot } from '#auth';
import type { Page, PageRequest } from '#platform';
import type { MissionDetail, MissionSummary } from './mission.read-model.js';

export class ListMissions extends Query<Page<MissionSummary>> {
  constructor(
    readonly principal: PrincipalSnapshot,
    readonly page: PageRequest,
  ) {
    super();
  }
}

export class GetMission extends Query<MissionDetail> {
  constructor(
    readonly payload: { readonly missionId: string },
    readonly principal: PrincipalSnapshot,
  ) {
    super();
  }
}
