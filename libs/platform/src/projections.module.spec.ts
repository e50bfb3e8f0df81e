/** The projection host on the embedded store: registered projections are fed, and their lag is on /metrics. */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { TestingModule } from '@nestjs/testing';
import { Test } from '@nestjs/testing';
import { EVENT_STORE, NotFound, type EventStore, type RecordedEvent } from '#event-sourcing';
import type { Projection } from '#event-sourcing/projections';
import { newEvent } from '#testing';
import { loadConfig } from './config.js';
import { EventStoreModule } from './event-store.module.js';
import { Metrics, MetricsModule } from './metrics.js';
import { ProjectionHost, ProjectionsModule } from './projections.module.js';
import { ReadModelsModule } from './read-models.module.js';

const lagLine = async (metrics: Metrics) =>
  (await metrics.render())
    .split('\n')
    .find((line) => line.startsWith('observa_projection_lag_events{projection="arrivals"}'));

describe('projection host (PGlite)', () => {
  let moduleRef: TestingModule;
  let store: EventStore;
  const seen: RecordedEvent[] = [];
  const arrivals: Projection = {
    name: 'arrivals',
    categories: ['arrival'],
    apply: async (event) => void seen.push(event),
    reset: async () => undefined,
  };

  beforeAll(async () => {
    const config = loadConfig({ OBSERVA_DATA_DIR: 'memory://', LOG_LEVEL: 'silent' });
    moduleRef = await Test.createTestingModule({
      imports: [
        MetricsModule,
        EventStoreModule.forRoot(config),
        ReadModelsModule,
        ProjectionsModule.inProcess(),
      ],
    }).compile();
    store = moduleRef.get(EVENT_STORE);
    moduleRef.get(ProjectionHost).register(arrivals);
  });
  afterAll(async () => {
    await moduleRef.close();
  });

  it('shows how many events a projection has still to apply, then feeds them once the app is up', async () => {
    for (let i = 0; i < 3; i++)
      await store.appendToStream(`arrival-${randomUUID()}`, [newEvent()], 'no_stream');
    await store.appendToStream(`departure-${randomUUID()}`, [newEvent()], 'no_stream');
    const metrics = moduleRef.get(Metrics);
    expect(await lagLine(metrics)).toBe('observa_projection_lag_events{projection="arrivals"} 3');

    await moduleRef.get(ProjectionHost).onApplicationBootstrap();
    const deadline = Date.now() + 10_000;
    while (seen.length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(seen.map((e) => e.streamId.split('-')[0])).toEqual(['arrival', 'arrival', 'arrival']);
    expect(await lagLine(metrics)).toBe('observa_projection_lag_events{projection="arrivals"} 0');
  });

  it('rebuilds a projection from the whole history, reporting progress, and names the known ones otherwise', async () => {
    const host = moduleRef.get(ProjectionHost);
    const before = seen.length;
    const progress: { done: number; total: number }[] = [];
    expect(await host.rebuild('arrivals', { onProgress: (p) => progress.push(p) })).toBe(3);
    expect(seen.slice(before).map((e) => e.streamId.split('-')[0])).toEqual([
      'arrival',
      'arrival',
      'arrival',
    ]);
    expect(progress.at(-1)).toEqual({ done: 3, total: 3 });
    expect(() => host.rebuild('departures')).toThrow(NotFound);
    expect(() => host.rebuild('departures')).toThrow('there are: arrivals');
  });
});
