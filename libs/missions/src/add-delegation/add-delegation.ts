/** The secretariat adds a member state's delegation to an open mission: DelegationJoined. */
import type { EventStore } from '#event-sourcing';
import type { AddDelegationRequest, AddDelegationResponse } from '#proto/observa/missions/v1/missions';
import { missionContextOf, writeMission } from '../mission-stream.js';

export const addDelegation = (
  store: EventStore,
  request: AddDelegationRequest,
): Promise<AddDelegationResponse> =>
  writeMission(store, missionContextOf(request.context), {
    type: 'AddDelegation',
    country: request.country,
    headOfDelegation: request.headOfDelegation,
  });
