/**
 * The missions context over HTTP in one process, for the use cases' given / when / then specs: the
 * standalone app on an in-memory store, its administrator logged in, and a mission given as the events
 * its stream holds.
 */
import { afterAll, beforeAll, expect } from '@jest/globals';
import type { EventStore } from '#event-sourcing';
import { httpSpec, stream, type StreamEvents } from '#testing';
import { bearer, startStandalone, type World } from '../../../test/e2e/harness.js';
import { missionStreamId, type MissionEvent, type StaffRole } from './domain/mission.js';

export type MissionsOverHttp = {
  readonly spec: ReturnType<typeof httpSpec>;
  /** `Authorization: Bearer …` for the administrator. */
  admin(): Record<string, string>;
  store(): EventStore;
};

/** Boots the app before the describe's specs and closes it after them. Call it inside the describe. */
export const missionsOverHttp = (): MissionsOverHttp => {
  let world: World | undefined;
  let admin: Record<string, string> = {};
  beforeAll(async () => {
    world = await startStandalone();
    admin = bearer(await world.asAdmin());
  });
  afterAll(() => world?.close());
  const started = (): World => {
    if (!world) throw new Error('the app is started in beforeAll: use it inside a spec');
    return world;
  };
  return { spec: httpSpec(started), admin: () => admin, store: () => started().store };
};

export const missionOpened = (missionId: string, openedBy = 'admin-user'): MissionEvent => ({
  type: 'MissionOpened',
  data: {
    missionId,
    name: 'International Election Observation Mission, Kyrgyz Republic 2023',
    organisation: 'CIS Interparliamentary Assembly',
    hostCountry: 'KG',
    election: { kind: 'parliamentary', date: '2023-11-30', rounds: 1 },
    openedBy,
  },
});

export const staffRoleGranted = (missionId: string, userId: string, role: StaffRole): MissionEvent => ({
  type: 'StaffRoleGranted',
  data: { missionId, userId, role },
});

/** The mission's stream: opened, then `later`. */
export const openedMission = (missionId: string, ...later: MissionEvent[]): StreamEvents =>
  stream(missionStreamId(missionId), [missionOpened(missionId), ...later]);

/** The mission's stream with these events (the ones a request appended). */
export const missionStream = (missionId: string, events: MissionEvent[]): StreamEvents =>
  stream(missionStreamId(missionId), events);

/** The answer to a write that appended one event, the stream now at `streamVersion`. */
export const appendedOne = (missionId: string, streamVersion: string) => ({
  id: missionId,
  streamVersion,
  eventIds: [expect.any(String)],
  appended: true,
});
