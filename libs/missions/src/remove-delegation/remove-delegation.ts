/** The secretariat removes a delegation from an open mission: DelegationLeft. */
import type { EventStore } from '#event-sourcing';
import type { RemoveDelegationRequest, RemoveDelegationResponse } from '#proto/observa/missions/v1/missions';
import { missionContextOf, writeMission } from '../mission-stream.js';

export const removeDelegation = (
  store: EventStore,
  request: RemoveDelegationRequest,
): Promise<RemoveDelegationResponse> =>
  writeMission(store, missionContextOf(request.context), {
    type: 'RemoveDelegation',
    country: request.country,
  });
