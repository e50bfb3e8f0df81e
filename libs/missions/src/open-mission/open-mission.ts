/** A platform administrator opens a mission for an election: the mission's first event, MissionOpened. */
import type { EventStore } from '#event-sourcing';
import type { OpenMissionRequest, OpenMissionResponse } from '#proto/observa/missions/v1/missions';
import type { ElectionKind } from '../domain/mission.js';
import { missionContextOf, writeMission } from '../mission-stream.js';

export const openMission = (store: EventStore, request: OpenMissionRequest): Promise<OpenMissionResponse> => {
  const context = missionContextOf(request.context);
  const election = request.election;
  return writeMission(store, context, {
    type: 'OpenMission',
    missionId: context.missionId,
    name: request.name,
    organisation: request.organisation,
    hostCountry: request.hostCountry,
    election: {
      kind: election?.kind as ElectionKind,
      date: election?.date ?? '',
      rounds: election?.rounds ?? 0,
    },
    openedBy: context.actor.userId,
  });
};
