/**
 * The missions context's interface bound to its use cases in this process: what MISSIONS is standalone,
 * and what the missions process serves on gRPC under the controller decorators generated from
 * proto/observa/missions/v1/missions.proto.
 */
import { Controller, Inject, UseFilters, UseInterceptors } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { GrpcCorrelation, GrpcProblemFilter } from '#contracts';
import { EVENT_STORE, type EventStore } from '#event-sourcing';
import {
  MISSIONS_SERVICE_NAME,
  MissionsServiceControllerMethods,
  type AddDelegationRequest,
  type CloseMissionRequest,
  type GetMissionRequest,
  type GrantStaffRoleRequest,
  type ListMissionsRequest,
  type OpenMissionRequest,
  type RemoveDelegationRequest,
  type WithdrawStaffRoleRequest,
} from '#proto/observa/missions/v1/missions';
import { addDelegation } from './add-delegation/add-delegation.js';
import { closeMission } from './close-mission/close-mission.js';
import { grantStaffRole } from './grant-staff-role/grant-staff-role.js';
import { MISSIONS, type Missions } from './missions.contract.js';
import { MissionView } from './missions-view/missions-view.projection.js';
import { getMission, listMissions } from './missions-view/missions-view.queries.js';
import { openMission } from './open-mission/open-mission.js';
import { removeDelegation } from './remove-delegation/remove-delegation.js';
import { withdrawStaffRole } from './withdraw-staff-role/withdraw-staff-role.js';

/**
 * One class for both: standalone it is only a provider (the controller decorators do nothing there); the
 * missions process registers it as its gRPC controller, where each method answers its rpc, named errors
 * become statuses with their Problem, and each call runs under the correlation id its request carries.
 */
@Controller()
@MissionsServiceControllerMethods()
@UseFilters(GrpcProblemFilter)
@UseInterceptors(GrpcCorrelation)
export class MissionsService implements Missions {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @InjectRepository(MissionView) private readonly views: Repository<MissionView>,
  ) {}

  openMission(request: OpenMissionRequest) {
    return openMission(this.store, request);
  }
  addDelegation(request: AddDelegationRequest) {
    return addDelegation(this.store, request);
  }
  removeDelegation(request: RemoveDelegationRequest) {
    return removeDelegation(this.store, request);
  }
  grantStaffRole(request: GrantStaffRoleRequest) {
    return grantStaffRole(this.store, request);
  }
  withdrawStaffRole(request: WithdrawStaffRoleRequest) {
    return withdrawStaffRole(this.store, request);
  }
  closeMission(request: CloseMissionRequest) {
    return closeMission(this.store, request);
  }
  getMission(request: GetMissionRequest) {
    return getMission(this.views, request);
  }
  listMissions(request: ListMissionsRequest) {
    return listMissions(this.views, request);
  }
}

/** What the hosts need to serve and to reach the missions context (libs/contracts ContextDefinition.service). */
export const missionsService = {
  token: MISSIONS,
  name: MISSIONS_SERVICE_NAME,
  controller: MissionsService,
} as const;
