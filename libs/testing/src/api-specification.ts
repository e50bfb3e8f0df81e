/**
 * given / when / then over HTTP, in one process (after Emmett's API specifications): given these events
 * in the store, when this request, then this answer and these new events.
 *
 *   const spec = apiSpecification(() => ({ http: world.http, store: world.store }));
 *   await spec
 *     .given(['mission-7', [missionOpened]])
 *     .when((http) => http.post('/api/v1/missions/7/staff').set(bearer(admin)).send({ ... }))
 *     .then(expectResponse(201), expectNewEvents('mission-7', [{ type: 'StaffRoleGranted', data: { ... } }]));
 *
 * `given` appends the events as they are (one append per stream, expecting a new stream); `then` reads
 * what the request appended after them, everywhere in the store.
 */
import { randomUUID } from 'node:crypto';
import { expect } from '@jest/globals';
import type { Response, Test } from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import type { EventStore, JsonObject, RecordedEvent } from '#event-sourcing';

export type SpecWorld = { readonly http: TestAgent<Test>; readonly store: EventStore };

/** An event as a spec writes it: its type and data (the store adds the rest). */
export type SpecEvent = { readonly type: string; readonly data: JsonObject };

export type Outcome = { readonly response: Response; readonly newEvents: readonly RecordedEvent[] };

export type Then = (outcome: Outcome) => void;

const appended = async (store: EventStore, streams: readonly (readonly [string, readonly SpecEvent[]])[]) => {
  for (const [streamId, events] of streams)
    await store.appendToStream(
      streamId,
      events.map((event) => ({
        eventId: randomUUID(),
        type: event.type,
        schemaVersion: 1,
        data: event.data,
        metadata: { occurredAt: new Date().toISOString() },
      })),
      'no_stream',
    );
};

export const apiSpecification = (world: () => SpecWorld) => ({
  given: (...streams: (readonly [string, readonly SpecEvent[]])[]) => ({
    when: (request: (http: TestAgent<Test>) => Test) => ({
      then: async (...checks: Then[]): Promise<Outcome> => {
        const { http, store } = world();
        await appended(store, streams);
        const head = await store.headPosition();
        const response = await request(http);
        const newEvents = await store.readAll({ after: head });
        const outcome = { response, newEvents };
        for (const check of checks) check(outcome);
        return outcome;
      },
    }),
  }),
});

/** The status, and the body when given (compared with toEqual; use expect.any(...) for ids). */
export const expectResponse =
  (status: number, body?: unknown): Then =>
  ({ response }) => {
    expect({ status: response.status, body: body === undefined ? undefined : response.body }).toEqual({
      status,
      body,
    });
  };

/** A problem+json answer with this status and, when given, a detail matching `detail`. */
export const expectProblem =
  (status: number, detail?: string | RegExp): Then =>
  ({ response }) => {
    expect(response.status).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    if (detail !== undefined) expect(response.body.detail).toMatch(detail);
  };

/** Exactly these events were appended to `streamId` (type and data, in order), and no other stream changed. */
export const expectNewEvents =
  (streamId: string, events: readonly SpecEvent[]): Then =>
  ({ newEvents }) => {
    expect(
      newEvents.map((event) => ({ streamId: event.streamId, type: event.type, data: event.data })),
    ).toEqual(events.map((event) => ({ streamId, type: event.type, data: event.data })));
  };

/** Nothing was appended anywhere. */
export const expectNoNewEvents = (): Then => expectNewEvents('', []);
