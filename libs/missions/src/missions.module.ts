/** The missions context in a host: its HTTP routes, its interface bound to its use cases, and its read model. */
import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { ProjectionHost, ReadModelTables } from '#platform';
import { AddDelegationRoute } from './add-delegation/add-delegation.http.js';
import { CloseMissionRoute } from './close-mission/close-mission.http.js';
import { GrantStaffRoleRoute } from './grant-staff-role/grant-staff-role.http.js';
import { MISSIONS } from './missions.contract.js';
import { MissionsService } from './missions.service.js';
import { MISSIONS_READ_MODEL_TABLES } from './missions-view/mission.tables.js';
import { MissionView, missionsProjection } from './missions-view/missions-view.projection.js';
import { MissionsViewRoutes } from './missions-view/missions-view.http.js';
import { OpenMissionRoute } from './open-mission/open-mission.http.js';
import { RemoveDelegationRoute } from './remove-delegation/remove-delegation.http.js';
import { WithdrawStaffRoleRoute } from './withdraw-staff-role/withdraw-staff-role.http.js';

@Module({
  imports: [ReadModelTables.forFeature([MissionView], MISSIONS_READ_MODEL_TABLES)],
  controllers: [
    OpenMissionRoute,
    MissionsViewRoutes,
    AddDelegationRoute,
    RemoveDelegationRoute,
    GrantStaffRoleRoute,
    WithdrawStaffRoleRoute,
    CloseMissionRoute,
  ],
  providers: [{ provide: MISSIONS, useClass: MissionsService }],
  // The missions process's gRPC controller (MissionsGrpcController) needs the store and the read model.
  exports: [MISSIONS, ReadModelTables],
})
export class MissionsModule implements OnModuleInit {
  constructor(@Inject(ProjectionHost) private readonly projections: ProjectionHost) {}

  onModuleInit(): void {
    this.projections.register(missionsProjection);
  }
}
