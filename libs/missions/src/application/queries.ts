/** The missions context's queries: plain data; `principal` is who asks, as the gateway authenticated them. */
import { Query } from '@nestjs/cqrs';
import type { PrincipalSnapshot } from '#auth';
import type { MissionDetail, MissionSummary } from './mission.read-model.js';

export class ListMissions extends Query<MissionSummary[]> {
  constructor(readonly principal: PrincipalSnapshot) {
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
