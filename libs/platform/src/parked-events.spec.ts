/**
 * A projection that cannot apply an event, on the embedded store (PGlite) as `npm start` runs it: the
 * event is parked and the others applied, /health says degraded with why, /metrics counts it, and a
 * replay once the cause is fixed applies it and brings /health back to ok.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { EVENT_STORE, NotFound, type EventStore } from '#event-sourcing';
import type { Projection } from '#event-sourcing/projections';
import { newEvent } from '#testing';
import { loadConfig } from './config.js';
import { EventStoreModule } from './event-store.module.js';
import { HealthModule } from './health.js';
import { createHttpApp } from './http-app.js';
import { MetricsModule } from './metrics.js';
import { ProjectionHost, ProjectionsModule } from './projections.module.js';
import { ReadModelsModule } from './read-models.module.js';

const waitFor = async (condition: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe('parked events on /health and /metrics, and their replay (PGlite)', () => {
  let app: INestApplication;
  let store: EventStore;
  const seen: string[] = [];
  let planIncludesS9 = false;
  const arrivals: Projection = {
    name: 'arrivals',
    categories: ['arrival'],
    async apply(event) {
      const station = event.data.station as string;
      if (station === 'S-9' && !planIncludesS9) throw new Error('station S-9 is not in the deployment plan');
      seen.push(station);
    },
    reset: async () => undefined,
  };

  beforeAll(async () => {
    const config = loadConfig({ OBSERVA_DATA_DIR: 'memory://', LOG_LEVEL: 'silent' });
    const moduleRef = await Test.createTestingModule({
      imports: [
        MetricsModule,
        EventStoreModule.forRoot(config),
        ReadModelsModule,
        ProjectionsModule.inProcess(),
        HealthModule,
      ],
    }).compile();
    moduleRef.get(ProjectionHost).register(arrivals);
    store = moduleRef.get(EVENT_STORE);
    app = await createHttpApp(moduleRef, config);
    await app.init(); // starts feeding the projection
  });
  afterAll(() => app?.close());

  const arrive = async (station: string) => {
    const streamId = `arrival-${randomUUID()}`;
    const { events } = await store.appendToStream(
      streamId,
      [newEvent('ObserverArrived', { station })],
      'no_stream',
    );
    return { streamId, ...events[0] };
  };
  const parkedLine = async () =>
    (await request(app.getHttpServer()).get('/metrics')).text
      .split('\n')
      .find((line) => line.startsWith('observa_projection_parked_events{projection="arrivals"}'));

  it('parks the event, applies the others, and reports the projection degraded while the process serves', async () => {
    expect((await request(app.getHttpServer()).get('/health')).body.status).toBe('ok');
    expect(await parkedLine()).toBe('observa_projection_parked_events{projection="arrivals"} 0');

    await arrive('S-1');
    const parked = await arrive('S-9');
    await arrive('S-2');
    // A later event of the parked event's stream: applied, it overtakes the parked one.
    await store.appendToStream(parked.streamId, [newEvent('ObserverArrived', { station: 'S-3' })], 0n);
    await waitFor(() => seen.includes('S-3'));
    expect(seen).toEqual(['S-1', 'S-2', 'S-3']);

    const health = await request(app.getHttpServer()).get('/health');
    expect(health.status).toBe(200);
    expect(health.body).toEqual({
      status: 'degraded',
      store: expect.objectContaining({ kind: 'pglite' }),
      projections: [
        {
          name: 'arrivals',
          status: 'degraded',
          parked: 1,
          reason: expect.stringMatching(
            /^1 event could not be applied and is parked \(the last at .+\); `npm run dead-letters` lists them$/,
          ),
        },
      ],
    });
    expect(await parkedLine()).toBe('observa_projection_parked_events{projection="arrivals"} 1');

    const host = app.get(ProjectionHost);
    expect(await host.deadLetters()).toEqual([
      expect.objectContaining({
        projection: 'arrivals',
        eventId: parked.eventId,
        type: 'ObserverArrived',
        error: 'Error: station S-9 is not in the deployment plan',
      }),
    ]);
    await expect(host.deadLetters('departures')).rejects.toThrow(NotFound);
    expect((await host.overtaken('arrivals')).map((letter) => letter.eventId)).toEqual([parked.eventId]);
  });

  it('replays the parked event once the cause is fixed, and is ok again', async () => {
    const host = app.get(ProjectionHost);
    expect(await host.replay('arrivals')).toEqual({
      applied: 0,
      stillParked: [expect.objectContaining({ error: 'Error: station S-9 is not in the deployment plan' })],
    });

    planIncludesS9 = true;
    expect(await host.replay('arrivals')).toEqual({ applied: 1, stillParked: [] });
    expect(seen).toEqual(['S-1', 'S-2', 'S-3', 'S-9']);
    expect(await host.deadLetters('arrivals')).toEqual([]);
    const health = await request(app.getHttpServer()).get('/health');
    expect(health.body).toEqual({ status: 'ok', store: expect.objectContaining({ kind: 'pglite' }) });
    expect(await parkedLine()).toBe('observa_projection_parked_events{projection="arrivals"} 0');
  });
});
