/** The head of mission or the secretariat closes the mission: MissionClosed, after which nothing changes it. */
import type { EventStore } from '#event-sourcing';
import type { CloseMissionRequest, CloseMissionResponse } from '#proto/observa/missions/v1/missions';
import { missionContextOf, writeMission } from '../mission-stream.js';

export const closeMission = (
  store: EventStore,
  request: CloseMissionRequest,
): Promise<CloseMissionResponse> => {
  const context = missionContextOf(request.context);
  return writeMission(store, context, {
    type: 'CloseMission',
    by: context.actor.userId,
    ...(request.reason !== undefined && request.reason !== null && { reason: request.reason }),
  });
};
