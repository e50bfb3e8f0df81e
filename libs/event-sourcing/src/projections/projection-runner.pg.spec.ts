import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type pg from 'pg';
import { Column, Entity, PrimaryColumn, type DataSource, type EntityManager } from 'typeorm';
import type { EventStore, RecordedEvent } from '#event-sourcing';
import { migrate, openDatabase, PostgresEventStore } from '#eventstore-postgres';
import { createTestDatabase, newEvent, readYourWrites } from '#testing';
import { loadCheckpoint } from './checkpoints.js';
import { dataSourceOn } from './data-source.js';
import type { Projection } from './projection.js';
import { ProjectionRunner, type RebuildProgress } from './projection-runner.js';

@Entity('station_visits')
class StationVisits {
  @PrimaryColumn('text') station!: string;
  @Column('int') visits!: number;
}

/** Counts observers' arrivals per polling station; `failAt` makes the n-th apply throw after writing. */
const visitsPerStation = (failAt?: number) => {
  const applied: RecordedEvent[] = [];
  const projection: Projection = {
    name: 'visits-per-station',
    categories: ['visit'],
    entities: [StationVisits],
    async apply(event: RecordedEvent, tx: EntityManager) {
      if (event.type !== 'ObserverArrived') return;
      await tx.query(
        `INSERT INTO station_visits (station, visits) VALUES ($1, 1)
         ON CONFLICT (station) DO UPDATE SET visits = station_visits.visits + 1`,
        [event.data.station],
      );
      applied.push(event);
      if (applied.length === failAt) throw new Error('projection crashed');
    },
    async reset(tx: EntityManager) {
      await tx.clear(StationVisits);
    },
  };
  return { projection, applied };
};

type World = { store: EventStore; dataSource: DataSource; dispose(): Promise<void> };

const worldOn = async (pool: pg.Pool, close: () => Promise<void>): Promise<World> => {
  await migrate(pool);
  const dataSource = await dataSourceOn(pool, [StationVisits], { synchronize: true }).initialize();
  return {
    store: readYourWrites(new PostgresEventStore(pool, { pollIntervalMs: 20 })),
    dataSource,
    async dispose() {
      await dataSource.destroy();
      await close();
    },
  };
};

const onServer = async (): Promise<World> => {
  const database = await createTestDatabase();
  const db = await openDatabase({ url: database.url });
  return worldOn(db.pool, async () => {
    await db.close();
    await database.drop();
  });
};

const embedded = async (): Promise<World> => {
  const db = await openDatabase({ dataDir: 'memory://' });
  return worldOn(db.pool, () => db.close());
};

const runnerSpec = (label: string, open: () => Promise<World>) =>
  describe(`projection runner on ${label}`, () => {
    let world: World;
    beforeEach(async () => {
      world = await open();
    });
    afterEach(async () => world.dispose());

    const arrivals = async (...stations: string[]) => {
      for (const station of stations)
        await world.store.appendToStream(
          `visit-${randomUUID()}`,
          [newEvent('ObserverArrived', { station })],
          'no_stream',
        );
    };
    const readModel = async () =>
      Object.fromEntries(
        (await world.dataSource.getRepository(StationVisits).find({ order: { station: 'ASC' } })).map((r) => [
          r.station,
          r.visits,
        ]),
      );
    const runner = (projection: Projection, pageSize = 3) =>
      new ProjectionRunner(world.store, world.dataSource, projection, { pageSize });

    it('catches up over several pages and reads only its own categories', async () => {
      await arrivals('S-1', 'S-2', 'S-1');
      await world.store.appendToStream(
        `team-${randomUUID()}`,
        [newEvent('TeamFormed', { lead: 'u-1' })],
        'no_stream',
      );
      await arrivals('S-3', 'S-1', 'S-2', 'S-1');

      expect(await runner(visitsPerStation().projection).runUntilCaughtUp()).toBe(7);
      expect(await readModel()).toEqual({ 'S-1': 4, 'S-2': 2, 'S-3': 1 });
      expect(await runner(visitsPerStation().projection).runUntilCaughtUp()).toBe(0);
    });

    it('resumes from its checkpoint: a restarted runner applies only the new events', async () => {
      await arrivals('S-1', 'S-2', 'S-1', 'S-2');
      await runner(visitsPerStation().projection).runUntilCaughtUp();
      await arrivals('S-2', 'S-3');

      const restarted = visitsPerStation();
      expect(await runner(restarted.projection).runUntilCaughtUp()).toBe(2);
      expect(restarted.applied.map((e) => e.data.station)).toEqual(['S-2', 'S-3']);
      expect(await readModel()).toEqual({ 'S-1': 2, 'S-2': 3, 'S-3': 1 });
    });

    it('leaves the read model and the checkpoint as they were when apply throws midway through a page', async () => {
      await arrivals('S-1', 'S-2');
      await runner(visitsPerStation().projection, 10).runUntilCaughtUp();
      const before = {
        model: await readModel(),
        checkpoint: await loadCheckpoint(world.dataSource.manager, 'visits-per-station'),
      };
      await arrivals('S-1', 'S-3', 'S-1', 'S-4');

      const crashing = visitsPerStation(2);
      await expect(runner(crashing.projection, 10).runUntilCaughtUp()).rejects.toThrow('projection crashed');
      expect(crashing.applied).toHaveLength(2); // it did write S-1 and S-3 before throwing
      expect(await readModel()).toEqual(before.model);
      expect(await loadCheckpoint(world.dataSource.manager, 'visits-per-station')).toEqual(before.checkpoint);

      expect(await runner(visitsPerStation().projection, 10).runUntilCaughtUp()).toBe(4);
      expect(await readModel()).toEqual({ 'S-1': 3, 'S-2': 1, 'S-3': 1, 'S-4': 1 });
    });

    it('applies each page once when two runners of one projection race', async () => {
      await arrivals(...Array.from({ length: 20 }, (_, i) => `S-${i % 4}`));
      const counts = await Promise.all(
        [1, 2, 3].map(() => runner(visitsPerStation().projection, 4).runUntilCaughtUp()),
      );
      expect(counts.reduce((a, b) => a + b, 0)).toBe(20);
      expect(await readModel()).toEqual({ 'S-0': 5, 'S-1': 5, 'S-2': 5, 'S-3': 5 });
    });

    it('rebuilds from zero to the same read model, reporting progress', async () => {
      await arrivals('S-1', 'S-2', 'S-1', 'S-3', 'S-2', 'S-1', 'S-4');
      await runner(visitsPerStation().projection).runUntilCaughtUp();
      const built = await readModel();

      const progress: RebuildProgress[] = [];
      const rebuilt = visitsPerStation();
      const applied = await runner(rebuilt.projection, 2).rebuild({ onProgress: (p) => progress.push(p) });

      expect(applied).toBe(7);
      expect(rebuilt.applied).toHaveLength(7);
      expect(await readModel()).toEqual(built);
      expect(progress).toEqual([
        { done: 0, total: 7 },
        { done: 2, total: 7 },
        { done: 4, total: 7 },
        { done: 6, total: 7 },
        { done: 7, total: 7 },
      ]);
    });

    it('resumes an interrupted rebuild from where it stopped', async () => {
      await arrivals('S-1', 'S-2', 'S-1', 'S-3', 'S-2', 'S-1', 'S-4');
      await runner(visitsPerStation().projection).runUntilCaughtUp();
      const built = await readModel();

      // Pages of two: the first two commit, the third fails on its first event.
      await expect(runner(visitsPerStation(5).projection, 2).rebuild()).rejects.toThrow('projection crashed');
      expect(await readModel()).toEqual({ 'S-1': 2, 'S-2': 1, 'S-3': 1 });

      const progress: RebuildProgress[] = [];
      const resumed = visitsPerStation();
      await runner(resumed.projection, 2).rebuild({ resume: true, onProgress: (p) => progress.push(p) });
      expect(resumed.applied.map((e) => e.data.station)).toEqual(['S-2', 'S-1', 'S-4']);
      expect(progress[0]).toEqual({ done: 4, total: 7 });
      expect(progress[progress.length - 1]).toEqual({ done: 7, total: 7 });
      expect(await readModel()).toEqual(built);

      // Finished: resuming again finds no rebuild under way and starts a new one from zero.
      const again = visitsPerStation();
      await runner(again.projection, 2).rebuild({ resume: true });
      expect(again.applied).toHaveLength(7);
      expect(await readModel()).toEqual(built);
    });

    it('follows events appended after it started', async () => {
      await arrivals('S-1');
      const controller = new AbortController();
      const running = runner(visitsPerStation().projection).start(controller.signal);
      await arrivals('S-2', 'S-1');
      try {
        await waitFor(
          async () => JSON.stringify(await readModel()) === JSON.stringify({ 'S-1': 2, 'S-2': 1 }),
        );
      } finally {
        controller.abort();
        await running;
      }
    });
  });

const waitFor = async (condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

runnerSpec('a Postgres server', onServer);
runnerSpec('PGlite (embedded)', embedded);
