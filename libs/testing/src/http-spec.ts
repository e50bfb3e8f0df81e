/**
 * given / when / then over HTTP, in one process: given these events in the store, when this request,
 * then this answer and these new events (the API specifications of Emmett's samples, in our terms).
 *
 *   const spec = httpSpec(() => ({ http: request(app.getHttpServer()), store, settle }));
 *   await spec
 *     .given(stream('application-1', [submitted, approved]))
 *     .when((http) => http.post('/api/v1/...').set(auth).send(body))
 *     .then({ status: 200, body: { appended: true }, newEvents: [stream('application-1', [granted])] });
 *
 * `newEvents` is every event the request appended, stream by stream, as type and data: a request that
 * must write nothing says `newEvents: []`. A refusal names its problem+json answer:
 *
 *     .then({ status: 422, problem: { detail: /closed/ }, newEvents: [] });
 */
import { randomUUID } from 'node:crypto';
import { expect } from '@jest/globals';
import type request from 'supertest';
import type { Response, Test } from 'supertest';
import type { DomainEvent, EventStore, NewEvent } from '#event-sourcing';

/** What supertest's `request(server)` gives. */
export type Http = ReturnType<typeof request>;

export type StreamEvents = StreamOf<DomainEvent>;

/** Events as a spec names them: given, or expected (where data may hold matchers such as expect.any). */
export type StreamOf<Event extends { readonly type: string; readonly data: unknown }> = {
  readonly streamId: string;
  readonly events: readonly Event[];
};

export const stream = <Event extends { readonly type: string; readonly data: unknown }>(
  streamId: string,
  events: readonly Event[],
): StreamOf<Event> => ({ streamId, events });

export type HttpSpecHost = {
  readonly http: Http;
  readonly store: EventStore;
  /** Resolves once what the request reads besides the store (read models) has caught up with the given events. */
  readonly settle?: () => Promise<void>;
};

export type ThenExpected = {
  readonly status: number;
  /** Matched with toMatchObject: name what the answer must hold. */
  readonly body?: unknown;
  /** Compared with toEqual: the answer holds this and nothing else (use expect.any(...) for ids). */
  readonly exactBody?: unknown;
  /** The answer is application/problem+json, its detail matching `detail` when given. */
  readonly problem?: { readonly detail?: string | RegExp };
  /**
   * Every event the request appended, by stream, in the order it appended them. The stream id may be a
   * matcher (expect.any(String)) when the request makes the id up.
   */
  readonly newEvents?: readonly {
    readonly streamId: unknown;
    readonly events: readonly { readonly type: string; readonly data: unknown }[];
  }[];
};

const given = async (store: EventStore, streams: readonly StreamEvents[]): Promise<void> => {
  for (const { streamId, events } of streams) {
    const recorded: NewEvent[] = events.map((event) => ({
      eventId: randomUUID(),
      type: event.type,
      schemaVersion: event.schemaVersion ?? 1,
      data: event.data,
      metadata: { occurredAt: new Date().toISOString() },
    }));
    await store.appendToStream(streamId, recorded, 'any');
  }
};

/** The events appended after `request` answered, grouped by stream in the order streams were first written. */
const appendedBy = async (store: EventStore, request: () => Promise<Response>) => {
  const before = await store.headPosition();
  const response = await request();
  const appended = await store.readAll({ after: before });
  const byStream = new Map<string, { type: string; data: unknown }[]>();
  for (const event of appended)
    byStream.set(event.streamId, [
      ...(byStream.get(event.streamId) ?? []),
      { type: event.type, data: event.data },
    ]);
  return { response, newEvents: [...byStream].map(([streamId, events]) => ({ streamId, events })) };
};

export const httpSpec = (host: () => HttpSpecHost) => ({
  given: (...streams: StreamEvents[]) => ({
    when: (send: (http: Http) => Test) => ({
      then: async (expected: ThenExpected): Promise<Response> => {
        const { http, store, settle } = host();
        await given(store, streams);
        await settle?.();
        const { response, newEvents } = await appendedBy(store, async () => await send(http));
        expect({ status: response.status, body: response.body as unknown }).toMatchObject({
          status: expected.status,
          ...(expected.body !== undefined && { body: expected.body }),
        });
        if (expected.exactBody !== undefined) expect(response.body).toEqual(expected.exactBody);
        if (expected.problem) {
          expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
          if (expected.problem.detail !== undefined)
            expect((response.body as { detail?: unknown }).detail).toMatch(expected.problem.detail);
        }
        if (expected.newEvents)
          expect(newEvents).toEqual(
            expected.newEvents.map(({ streamId, events }) => ({
              streamId,
              events: events.map(({ type, data }) => ({ type, data })),
            })),
          );
        return response;
      },
    }),
  }),
});
