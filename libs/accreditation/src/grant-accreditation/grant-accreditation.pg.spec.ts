/**
 * The grant's two appends on a real store, with a fault injected between them: what grant-accreditation.ts
 * promises when the application's append does not land (no orphan reservation, no badge granted twice).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  DomainRuleBroken,
  loadStream,
  type CommandContext,
  type DomainEvent,
  type EventStore,
} from '#event-sourcing';
import { migrate, PostgresEventStore } from '#eventstore-postgres';
import { TEST_DATABASES, type OpenedTestDatabase } from '#testing';
import { historyUntil, missionId } from '../domain/application.examples.js';
import { badgeDecider, BadgeNumberTaken } from '../domain/badge.js';
import { applicationStream, badgeStream } from '../identities.js';
import { grantAccreditation } from './grant-accreditation.js';

const at = '2023-10-18T09:00:00Z';
const context = (commandId = randomUUID()): CommandContext => ({
  commandId,
  actor: { userId: 'user-secretariat', role: 'secretariat' },
});

/** Runs `fault` once, just before the next append to `streamId`, then lets appends through. */
const faultBefore = (store: EventStore, streamId: string, fault: () => Promise<void>): EventStore => {
  let armed = true;
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property !== 'appendToStream') {
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      }
      return async (...args: Parameters<EventStore['appendToStream']>) => {
        if (armed && args[0] === streamId) {
          armed = false;
          await fault();
        }
        return target.appendToStream(...args);
      };
    },
  });
};

const specsOn = (name: string, open: () => Promise<OpenedTestDatabase>) =>
  describe(`granting when the second append fails (${name})`, () => {
    let opened: OpenedTestDatabase;
    let store: EventStore;

    beforeAll(async () => {
      opened = await open();
      await migrate(opened.database.pool);
      store = new PostgresEventStore(opened.database.pool);
    });
    afterAll(() => opened?.cleanup());

    /** An application the host body was asked to accredit, under a fresh id. */
    const requestedApplication = async (): Promise<string> => {
      const applicationId = randomUUID();
      const events = historyUntil.requested.map((event): DomainEvent => ({
        type: event.type,
        data: { ...event.data, applicationId },
      }));
      await store.appendToStream(
        applicationStream(applicationId),
        events.map((event) => ({
          ...event,
          eventId: randomUUID(),
          schemaVersion: 1,
          metadata: { occurredAt: at },
        })),
        'no_stream',
      );
      return applicationId;
    };
    const grant = (on: EventStore, applicationId: string, badgeNumber: string, request = context()) =>
      grantAccreditation(on, {
        missionId,
        applicationId,
        badgeNumber,
        validFrom: '2023-10-20T00:00:00Z',
        validTo: '2023-12-15T00:00:00Z',
        conditions: [],
        at,
        context: request,
      });
    const badgeEvents = async (badgeNumber: string) =>
      (await store.readStream(badgeStream(missionId, badgeNumber))).map((e) => [
        e.type,
        e.data.applicationId,
      ]);
    const holderOf = async (badgeNumber: string) =>
      (await loadStream(store, badgeDecider, badgeStream(missionId, badgeNumber))).state;
    const statusOf = async (applicationId: string) =>
      (await store.readStream(applicationStream(applicationId))).map((e) => e.type).at(-1);

    it('keeps the reservation with an application still requested: its retry appends only the grant, nobody else gets the number', async () => {
      const applicationId = await requestedApplication();
      const other = await requestedApplication();
      const request = context();
      const failing = faultBefore(store, applicationStream(applicationId), () =>
        Promise.reject(new Error('the connection to the database was lost')),
      );

      await expect(grant(failing, applicationId, 'F-100', request)).rejects.toThrow('connection');
      expect(await badgeEvents('F-100')).toEqual([['BadgeReserved', applicationId]]);
      expect(await statusOf(applicationId)).toBe('AccreditationRequested');

      // The holder's grant may still happen, so nobody else is granted the number meanwhile.
      await expect(grant(store, other, 'F-100')).rejects.toBeInstanceOf(BadgeNumberTaken);
      const retried = await grant(store, applicationId, 'F-100', request);
      expect(retried.appended).toBe(true);
      expect(await statusOf(applicationId)).toBe('AccreditationGranted');
      expect(await badgeEvents('F-100')).toEqual([['BadgeReserved', applicationId]]);
      // And the retry of a grant that did land writes nothing more.
      expect((await grant(store, applicationId, 'F-100', request)).appended).toBe(false);
    });

    it('releases the reservation at once when the application moved on between the two appends', async () => {
      const applicationId = await requestedApplication();
      // Another grant of the same application, with another number, lands between the two appends.
      const racing = faultBefore(store, applicationStream(applicationId), async () => {
        await grant(store, applicationId, 'F-201');
      });

      await expect(grant(racing, applicationId, 'F-200')).rejects.toBeInstanceOf(DomainRuleBroken);
      expect(await badgeEvents('F-200')).toEqual([
        ['BadgeReserved', applicationId],
        ['BadgeReleased', applicationId],
      ]);
      expect(await holderOf('F-200')).toBeNull();
      expect(await holderOf('F-201')).toBe(applicationId);

      // The number is free: another observer is granted it without taking it over from anyone.
      const other = await requestedApplication();
      await grant(store, other, 'F-200');
      expect(await holderOf('F-200')).toBe(other);
    });

    it('lets another application take over a reservation left behind once its holder was granted another number', async () => {
      const holder = await requestedApplication();
      const failing = faultBefore(store, applicationStream(holder), () =>
        Promise.reject(new Error('the process was told to stop')),
      );
      await expect(grant(failing, holder, 'F-300')).rejects.toThrow('stop');
      // The holder is granted another number: its reservation of F-300 can never become a grant.
      await grant(store, holder, 'F-309');

      const other = await requestedApplication();
      await grant(store, other, 'F-300');
      expect(await badgeEvents('F-300')).toEqual([
        ['BadgeReserved', holder],
        ['BadgeReleased', holder],
        ['BadgeReserved', other],
      ]);
    });
  });

for (const [name, open] of TEST_DATABASES) specsOn(name, open);
