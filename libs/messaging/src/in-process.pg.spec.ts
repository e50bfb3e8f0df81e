import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type pg from 'pg';
import { Column, Entity, PrimaryColumn, type DataSource, type EntityManager } from 'typeorm';
import type { EventStore, RecordedEvent } from '#event-sourcing';
import { migrate, openDatabase, PostgresEventStore } from '#eventstore-postgres';
import { createTestDatabase, newEvent, readYourWrites } from '#testing';
import { dataSourceOn, listDeadLetters, type Projection } from '#event-sourcing/projections';
import type { EventTransport } from './event-transport.js';
import { InProcessTransport } from './in-process.js';

@Entity('station_visits')
class StationVisits {
  @PrimaryColumn('text') station!: string;
  @Column('int') visits!: number;
}

/** Crashes on `crashOn`'s arrival: the first time only with a lost connection, every time otherwise. */
const visitsPerStation = (crashOn?: { station: string; once: boolean }): Projection => {
  let crashed = false;
  return {
    name: 'visits-per-station',
    categories: ['visit'],
    entities: [StationVisits],
    async apply(event: RecordedEvent, tx: EntityManager) {
      await tx.query(
        `INSERT INTO station_visits (station, visits) VALUES ($1, 1)
         ON CONFLICT (station) DO UPDATE SET visits = station_visits.visits + 1`,
        [event.data.station],
      );
      if (event.data.station !== crashOn?.station) return;
      if (!crashOn.once) throw new Error(`no station ${crashOn.station} in the plan`);
      if (!crashed) {
        crashed = true;
        throw Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' });
      }
    },
    async reset(tx: EntityManager) {
      await tx.clear(StationVisits);
    },
  };
};

const waitFor = async (condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

type World = { store: EventStore; dataSource: DataSource; dispose(): Promise<void> };

const worldOn = async (pool: pg.Pool, close: () => Promise<void>): Promise<World> => {
  await migrate(pool);
  const dataSource = await dataSourceOn(pool, [StationVisits], { synchronize: true }).initialize();
  return {
    store: readYourWrites(new PostgresEventStore(pool)),
    dataSource,
    async dispose() {
      await dataSource.destroy();
      await close();
    },
  };
};

const transportSpec = (label: string, open: () => Promise<World>) =>
  describe(`in-process transport on ${label}`, () => {
    let world: World;
    beforeEach(async () => {
      world = await open();
    });
    afterEach(async () => world.dispose());

    const arrive = (station: string) =>
      world.store.appendToStream(
        `visit-${randomUUID()}`,
        [newEvent('ObserverArrived', { station })],
        'no_stream',
      );
    const readModel = async () =>
      JSON.stringify(
        Object.fromEntries(
          (await world.dataSource.getRepository(StationVisits).find({ order: { station: 'ASC' } })).map(
            (r) => [r.station, r.visits],
          ),
        ),
      );

    it('feeds a projection the events from before it started and those appended after', async () => {
      const transport: EventTransport = new InProcessTransport(world.store, world.dataSource);
      await arrive('S-1');
      const running = await transport.start(visitsPerStation());
      try {
        await arrive('S-2');
        await arrive('S-1');
        await waitFor(async () => (await readModel()) === JSON.stringify({ 'S-1': 2, 'S-2': 1 }));
      } finally {
        await running.stop();
      }
      await arrive('S-3'); // stopped: nothing more is applied
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await readModel()).toBe(JSON.stringify({ 'S-1': 2, 'S-2': 1 }));
    });

    it('reports a projection that failed for a transient reason and retries it from its checkpoint, applying each event once', async () => {
      const errors: unknown[] = [];
      const transport = new InProcessTransport(world.store, world.dataSource, {
        retryDelayMs: 50,
        onError: (e) => errors.push(e),
      });
      const running = await transport.start(visitsPerStation({ station: 'S-2', once: true }));
      try {
        await arrive('S-1');
        await arrive('S-2');
        await arrive('S-3');
        await waitFor(async () => (await readModel()) === JSON.stringify({ 'S-1': 1, 'S-2': 1, 'S-3': 1 }));
      } finally {
        await running.stop();
      }
      expect(errors).toEqual([new Error('Connection terminated unexpectedly')]);
      expect(await listDeadLetters(world.dataSource)).toEqual([]);
    });

    it('parks an event the projection cannot apply and keeps feeding the others', async () => {
      const errors: unknown[] = [];
      const parked: string[] = [];
      const transport = new InProcessTransport(world.store, world.dataSource, {
        retryDelayMs: 50,
        onError: (e) => errors.push(e),
        onParked: (letter) => parked.push(letter.error),
      });
      const running = await transport.start(visitsPerStation({ station: 'S-2', once: false }));
      try {
        await arrive('S-1');
        await arrive('S-2');
        await arrive('S-3');
        await waitFor(async () => (await readModel()) === JSON.stringify({ 'S-1': 1, 'S-3': 1 }));
      } finally {
        await running.stop();
      }
      expect(parked).toEqual(['Error: no station S-2 in the plan']);
      expect((await listDeadLetters(world.dataSource)).map((l) => l.error)).toEqual(parked);
      expect(errors).toEqual([]);
    });
  });

transportSpec('a Postgres server', async () => {
  const database = await createTestDatabase();
  const db = await openDatabase({ url: database.url });
  return worldOn(db.pool, async () => {
    await db.close();
    await database.drop();
  });
});

transportSpec('PGlite (embedded)', async () => {
  const db = await openDatabase({ dataDir: 'memory://' });
  return worldOn(db.pool, () => db.close());
});
