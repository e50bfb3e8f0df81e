import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type pg from 'pg';
import { Column, Entity, PrimaryColumn, type DataSource, type EntityManager } from 'typeorm';
import type { EventStore, RecordedEvent } from '#event-sourcing';
import { migrate, openDatabase, PostgresEventStore } from '#eventstore-postgres';
import { createTestDatabase, newEvent, readYourWrites } from '#testing';
import { loadCheckpoint } from './checkpoints.js';
import { listDeadLetters, replayDeadLetters, type DeadLetter } from './dead-letters.js';
import { dataSourceOn } from './data-source.js';
import type { Projection } from './projection.js';
import { ProjectionRunner, type RebuildProgress } from './projection-runner.js';

@Entity('station_visits')
class StationVisits {
  @PrimaryColumn('text') station!: string;
  @Column('int') visits!: number;
}

/**
 * Counts observers' arrivals per polling station (`observers` of them, one by default) and logs the
 * arrivals in the order they were applied. `failure`
 * may make the n-th apply throw after it has written; an arrival of more observers than an int
 * holds fails in Postgres itself (22003), every time, until the column is widened.
 */
const visitsPerStation = (failure?: (attempt: number, event: RecordedEvent) => Error | undefined) => {
  const applied: RecordedEvent[] = [];
  let attempts = 0;
  const projection: Projection = {
    name: 'visits-per-station',
    categories: ['visit'],
    entities: [StationVisits],
    async apply(event: RecordedEvent, tx: EntityManager) {
      if (event.type !== 'ObserverArrived') return;
      attempts += 1;
      await tx.query(
        `INSERT INTO station_visits (station, visits) VALUES ($1, $2)
         ON CONFLICT (station) DO UPDATE SET visits = station_visits.visits + EXCLUDED.visits`,
        [event.data.station, event.data.observers ?? 1],
      );
      await tx.query('INSERT INTO arrival_log (station) VALUES ($1)', [event.data.station]);
      applied.push(event);
      const error = failure?.(attempts, event);
      if (error) throw error;
    },
    async reset(tx: EntityManager) {
      await tx.clear(StationVisits);
      await tx.query('TRUNCATE arrival_log');
    },
  };
  return { projection, applied };
};

const crashAt =
  (n: number, failure = () => new Error('projection crashed')) =>
  (attempt: number) =>
    attempt === n ? failure() : undefined;

/** What pg raises when the server ends the session: says nothing about the event. */
const connectionLost = () =>
  Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });

type World = { store: EventStore; dataSource: DataSource; dispose(): Promise<void> };

const worldOn = async (pool: pg.Pool, close: () => Promise<void>): Promise<World> => {
  await migrate(pool);
  const dataSource = await dataSourceOn(pool, [StationVisits], { synchronize: true }).initialize();
  await dataSource.query('CREATE TABLE arrival_log (id bigserial PRIMARY KEY, station text NOT NULL)');
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
      for (const station of stations) await arrival(station);
    };
    const arrival = async (station: string, observers = 1) => {
      const streamId = `visit-${randomUUID()}`;
      const { events } = await world.store.appendToStream(
        streamId,
        [newEvent('ObserverArrived', { station, observers })],
        'no_stream',
      );
      return { streamId, ...events[0] };
    };
    const checkpoint = () => loadCheckpoint(world.dataSource.manager, 'visits-per-station');
    const parked = () => listDeadLetters(world.dataSource.manager, 'visits-per-station');
    const readModel = async () =>
      Object.fromEntries(
        (await world.dataSource.getRepository(StationVisits).find({ order: { station: 'ASC' } })).map((r) => [
          r.station,
          Number(r.visits), // a string once a spec widens the column to bigint
        ]),
      );
    const arrivalLog = async () =>
      (
        (await world.dataSource.query('SELECT station FROM arrival_log ORDER BY id')) as { station: string }[]
      ).map((r) => r.station);
    const runner = (projection: Projection, pageSize = 3, onParked?: (letter: DeadLetter) => void) =>
      new ProjectionRunner(world.store, world.dataSource, projection, { pageSize, onParked });

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

    it('parks the one event it cannot apply, applies those before and after it in order, and moves on', async () => {
      await arrivals('S-1', 'S-2');
      const tooMany = await arrival('S-3', 2 ** 31);
      await arrivals('S-4', 'S-5');
      const last = await arrival('S-6');

      const told: DeadLetter[] = [];
      const first = visitsPerStation();
      expect(await runner(first.projection, 10, (letter) => told.push(letter)).runUntilCaughtUp()).toBe(5);

      expect(await arrivalLog()).toEqual(['S-1', 'S-2', 'S-4', 'S-5', 'S-6']);
      expect(await readModel()).toEqual({ 'S-1': 1, 'S-2': 1, 'S-4': 1, 'S-5': 1, 'S-6': 1 });
      expect(await checkpoint()).toEqual(last.globalPosition);
      const letters = await parked();
      expect(letters).toEqual([
        {
          projection: 'visits-per-station',
          eventId: tooMany.eventId,
          globalPosition: `${tooMany.globalPosition.commit}/${tooMany.globalPosition.prepare}`,
          streamId: tooMany.streamId,
          type: 'ObserverArrived',
          origin: '$all',
          error: expect.stringMatching(/^QueryFailedError \[22003\]: .*out of range/),
          parkedAt: expect.any(Date),
        },
      ]);
      expect(told).toEqual([{ ...letters[0], parkedAt: expect.any(Date) }]);

      // A restart neither parks it again nor applies anything twice.
      const restarted = visitsPerStation();
      expect(await runner(restarted.projection, 10).runUntilCaughtUp()).toBe(0);
      expect(restarted.applied).toEqual([]);
      expect(await parked()).toEqual(letters);
      await arrivals('S-1');
      expect(await arrivalLog()).toEqual(['S-1', 'S-2', 'S-4', 'S-5', 'S-6']);
      expect(await runner(restarted.projection, 10).runUntilCaughtUp()).toBe(1);
      expect(await readModel()).toEqual({ 'S-1': 2, 'S-2': 1, 'S-4': 1, 'S-5': 1, 'S-6': 1 });
      expect(await arrivalLog()).toEqual(['S-1', 'S-2', 'S-4', 'S-5', 'S-6', 'S-1']);
      expect(await parked()).toEqual(letters);
    });

    it('parks across pages while following $all, and the read model stays whole', async () => {
      await arrivals('S-1');
      const controller = new AbortController();
      const crashing = visitsPerStation((_, event) =>
        event.data.station === 'S-bad' ? new Error('no such station in the plan') : undefined,
      );
      const running = runner(crashing.projection, 2).start(controller.signal);
      try {
        await arrivals('S-2', 'S-bad', 'S-3', 'S-bad', 'S-4');
        await waitFor(
          async () => Object.keys(await readModel()).length === 4 && (await parked()).length === 2,
        );
      } finally {
        controller.abort();
        await running;
      }
      expect(await readModel()).toEqual({ 'S-1': 1, 'S-2': 1, 'S-3': 1, 'S-4': 1 });
      expect(await arrivalLog()).toEqual(['S-1', 'S-2', 'S-3', 'S-4']);
      expect((await parked()).map((l) => l.error)).toEqual([
        'Error: no such station in the plan',
        'Error: no such station in the plan',
      ]);
    });

    it('retries a transient failure from the checkpoint instead of parking, leaving no half-applied page', async () => {
      await arrivals('S-1', 'S-2');
      await runner(visitsPerStation().projection, 10).runUntilCaughtUp();
      const before = { model: await readModel(), checkpoint: await checkpoint() };
      await arrivals('S-1', 'S-3', 'S-1', 'S-4');

      const crashing = visitsPerStation(crashAt(2, connectionLost));
      await expect(runner(crashing.projection, 10).runUntilCaughtUp()).rejects.toThrow(
        'terminating connection',
      );
      expect(crashing.applied).toHaveLength(2); // it did write S-1 and S-3 before throwing
      expect(await readModel()).toEqual(before.model);
      expect(await checkpoint()).toEqual(before.checkpoint);
      expect(await parked()).toEqual([]);

      expect(await runner(visitsPerStation().projection, 10).runUntilCaughtUp()).toBe(4);
      expect(await readModel()).toEqual({ 'S-1': 3, 'S-2': 1, 'S-3': 1, 'S-4': 1 });
      expect(await parked()).toEqual([]);
    });

    it('replays parked events once the cause is fixed, keeping those that still fail with their new error', async () => {
      await arrivals('S-1');
      await arrival('S-2', 2 ** 31);
      await arrivals('S-bad', 'S-3');
      const planless = (_: number, event: RecordedEvent) =>
        event.data.station === 'S-bad' ? new Error('no such station in the plan') : undefined;
      await runner(visitsPerStation(planless).projection, 10).runUntilCaughtUp();
      expect((await parked()).map((l) => l.error)).toEqual([
        expect.stringContaining('out of range'),
        'Error: no such station in the plan',
      ]);

      // The first fix: the column is widened; the plan is still missing the station, with another message now.
      await world.dataSource.query('ALTER TABLE station_visits ALTER COLUMN visits TYPE bigint');
      const stillPlanless = visitsPerStation((_, event) =>
        event.data.station === 'S-bad' ? new Error('station S-bad is not in plan v2') : undefined,
      );
      const outcome = await replayDeadLetters(world.dataSource, stillPlanless.projection);
      expect(outcome.applied).toBe(1);
      expect(outcome.stillParked.map((l) => l.error)).toEqual(['Error: station S-bad is not in plan v2']);
      expect(await parked()).toEqual(outcome.stillParked);
      expect(await readModel()).toEqual({ 'S-1': 1, 'S-2': 2 ** 31, 'S-3': 1 });

      // The second fix, and a rebuild later still agrees.
      expect(await replayDeadLetters(world.dataSource, visitsPerStation().projection)).toEqual({
        applied: 1,
        stillParked: [],
      });
      expect(await parked()).toEqual([]);
      const fixed = { 'S-1': 1, 'S-2': 2 ** 31, 'S-3': 1, 'S-bad': 1 };
      expect(await readModel()).toEqual(fixed);
      await runner(visitsPerStation().projection).rebuild();
      expect(await readModel()).toEqual(fixed);
    });

    it('parks again on a rebuild what still fails, once', async () => {
      await arrivals('S-1');
      await arrival('S-2', 2 ** 31);
      await runner(visitsPerStation().projection).runUntilCaughtUp();
      const [letter] = await parked();

      expect(await runner(visitsPerStation().projection).rebuild()).toBe(1);
      expect(await parked()).toEqual([{ ...letter, parkedAt: expect.any(Date) }]);
      expect(await readModel()).toEqual({ 'S-1': 1 });
    });

    it('parks the event that breaks a deferred constraint, which would otherwise fail only at commit', async () => {
      await world.dataSource.query(
        `CREATE TABLE badge_holders (badge text, observer text,
           CONSTRAINT one_holder UNIQUE (badge) DEFERRABLE INITIALLY DEFERRED)`,
      );
      const badges: Projection = {
        name: 'visits-per-station',
        categories: ['visit'],
        async apply(event, tx) {
          await tx.query('INSERT INTO badge_holders (badge, observer) VALUES ($1, $2)', [
            event.data.badge,
            event.data.observer,
          ]);
        },
        reset: async (tx) => void (await tx.query('TRUNCATE badge_holders')),
      };
      for (const [badge, observer] of [
        ['KG-1', 'anna'],
        ['KG-1', 'bakyt'],
        ['KG-2', 'chynara'],
      ])
        await world.store.appendToStream(
          `visit-${randomUUID()}`,
          [newEvent('BadgeIssued', { badge, observer })],
          'no_stream',
        );

      expect(await runner(badges, 10).runUntilCaughtUp()).toBe(2);
      expect(
        await world.dataSource.query('SELECT badge, observer FROM badge_holders ORDER BY badge'),
      ).toEqual([
        { badge: 'KG-1', observer: 'anna' },
        { badge: 'KG-2', observer: 'chynara' },
      ]);
      expect((await parked()).map((l) => l.error)).toEqual([
        expect.stringMatching(/^QueryFailedError \[23505\]/),
      ]);
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

      // Pages of two: the first two commit, the third loses its connection on its first event.
      await expect(
        runner(visitsPerStation(crashAt(5, connectionLost)).projection, 2).rebuild(),
      ).rejects.toThrow('terminating connection');
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
