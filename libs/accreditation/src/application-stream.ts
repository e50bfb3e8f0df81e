/** An application as the use cases read it: folded from its stream, and only if it belongs to the mission asked about. */
import { loadStream, NotFound, type EventStore, type RecordedEvent } from '#event-sourcing';
import type { Application } from './domain/application.js';
import { applicationDecider } from './domain/application.decide.js';
import { applicationStream } from './identities.js';

export type LoadedApplication = {
  readonly state: Application;
  readonly version: bigint;
  readonly events: RecordedEvent[];
};

/** To anyone asking from another mission, the application does not exist. */
export const loadApplication = async (
  store: EventStore,
  missionId: string,
  applicationId: string,
): Promise<LoadedApplication> => {
  const { state, version, events } = await loadStream(
    store,
    applicationDecider,
    applicationStream(applicationId),
  );
  if (state.status === 'none' || state.missionId !== missionId)
    throw new NotFound(`there is no application ${applicationId} in this mission`);
  return { state, version, events };
};
