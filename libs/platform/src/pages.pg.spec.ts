/** Keyset pages on a Postgres server: order with a nullable key, rows written between pages, the byte budget, cursors refused. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { Column, Entity, PrimaryColumn, type DataSource, type Repository } from 'typeorm';
import { dataSourceOn } from '#event-sourcing/projections';
import { openDatabase, type Database } from '#eventstore-postgres';
import { createTestDatabase, type TestDatabase } from '#testing';
import {
  decodeCursor,
  encodeCursor,
  InvalidCursor,
  PAGE_BYTES,
  PageQuery,
  readPage,
  type Keyset,
  type Page,
  type PageRequest,
} from './pages.js';
import { ValidationFailed } from './validation.js';

@Entity('page_spec_stations')
class Station {
  @PrimaryColumn('text') code!: string;
  @Column('text', { nullable: true }) chair!: string | null;
  @Column('text', { default: '' }) notes!: string;
}

/** By chair, stations without one last, then by code: the shape of the observers list. */
const BY_CHAIR: Keyset<Station> = {
  list: 'stations',
  keys: [
    { sql: '(s.chair IS NULL)', type: 'boolean', of: (row) => row.chair === null },
    { sql: "COALESCE(s.chair, '')", type: 'text', of: (row) => row.chair ?? '' },
    { sql: 's.code', type: 'text', of: (row) => row.code },
  ],
};

describe('keyset pages (Postgres server)', () => {
  let database: TestDatabase;
  let db: Database;
  let dataSource: DataSource;
  let stations: Repository<Station>;

  const page = (request: PageRequest, scope: unknown = 'district-1'): Promise<Page<string>> =>
    readPage(stations.createQueryBuilder('s'), BY_CHAIR, scope, request, (rows) =>
      rows.map((row) => row.code),
    );

  const walk = async (limit: number, between: () => Promise<void> = async () => {}) => {
    const codes: string[] = [];
    let cursor: string | null = null;
    do {
      const next: Page<string> = await page({ limit, cursor });
      codes.push(...next.items);
      cursor = next.nextCursor;
      if (cursor) await between();
    } while (cursor);
    return codes;
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    db = await openDatabase({ url: database.url });
    dataSource = await dataSourceOn(db.pool, [Station], { synchronize: true }).initialize();
    stations = dataSource.getRepository(Station);
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await db?.close();
    await database?.drop();
  });
  beforeEach(() => stations.clear());

  it('walks by chair with the stations without one last, each once; a full last page ends the list', async () => {
    await stations.save([
      { code: 'PS-04', chair: 'Osmonov' },
      { code: 'PS-01', chair: null },
      { code: 'PS-03', chair: 'Abdieva' },
      { code: 'PS-02', chair: 'Osmonov' },
      { code: 'PS-05', chair: null },
      { code: 'PS-06', chair: 'Karimov' },
    ]);
    const order = ['PS-03', 'PS-06', 'PS-02', 'PS-04', 'PS-01', 'PS-05'];
    expect(await walk(1)).toEqual(order);
    expect(await walk(4)).toEqual(order);
    expect(await page({ limit: 6, cursor: null })).toEqual({ items: order, nextCursor: null });
    const first = await page({ limit: 3, cursor: null });
    expect(await page({ limit: 3, cursor: first.nextCursor })).toEqual({
      items: order.slice(3),
      nextCursor: null,
    });
  });

  it('moves past rows a filter on opened data turns away, even a page of nothing but them', async () => {
    await stations.save(
      ['PS-01', 'PS-02', 'PS-03', 'PS-04', 'PS-05', 'PS-06', 'PS-07'].map((code) => ({
        code,
        chair: 'Chair',
      })),
    );
    const kept = (code: string) => ['PS-01', 'PS-06'].includes(code);
    const filtered = (request: PageRequest) =>
      readPage(stations.createQueryBuilder('s'), BY_CHAIR, 'district-1', request, (rows) =>
        rows.map((row) => (kept(row.code) ? row.code : null)),
      );
    const pages: Page<string>[] = [];
    let cursor: string | null = null;
    do {
      const next: Page<string> = await filtered({ limit: 2, cursor });
      pages.push(next);
      cursor = next.nextCursor;
    } while (cursor);
    expect(pages.map((p) => p.items)).toEqual([['PS-01'], [], ['PS-06'], []]);
    expect(pages.at(-1)?.nextCursor).toBeNull();
  });

  it('shows rows written after the place it reached, and not the ones before it', async () => {
    await stations.save([
      { code: 'PS-10', chair: 'Bekova' },
      { code: 'PS-20', chair: 'Duishenov' },
    ]);
    let written = 0;
    const codes = await walk(1, async () => {
      if (written++ > 0) return;
      await stations.save([
        { code: 'PS-05', chair: 'Asanova' }, // before the place reached: not on a later page
        { code: 'PS-30', chair: 'Zhumabaev' },
        { code: 'PS-11', chair: 'Bekova' }, // ties on the chair, after on the code
      ]);
    });
    expect(codes).toEqual(['PS-10', 'PS-11', 'PS-20', 'PS-30']);
  });

  it('stops a page at the byte budget, and still moves on past an item larger than it', async () => {
    const big = 'x'.repeat(900 * 1024);
    await stations.save(
      Array.from({ length: 10 }, (_, i) => ({ code: `PS-${i}`, chair: 'Chair', notes: big })),
    );
    await stations.save({ code: 'PS-9', chair: 'Chair', notes: 'y'.repeat(PAGE_BYTES + 1) });
    const pages: Page<Station>[] = [];
    let cursor: string | null = null;
    do {
      const next: Page<Station> = await readPage(
        stations.createQueryBuilder('s'),
        BY_CHAIR,
        'district-1',
        { limit: 500, cursor },
        (rows) => rows,
      );
      pages.push(next);
      cursor = next.nextCursor;
    } while (cursor);
    expect(pages.map((p) => p.items.length)).toEqual([4, 4, 1, 1]);
    expect(pages.flatMap((p) => p.items.map((s) => s.code))).toEqual(
      Array.from({ length: 10 }, (_, i) => `PS-${i}`),
    );
    for (const p of pages.slice(0, 2)) expect(Buffer.byteLength(JSON.stringify(p))).toBeLessThan(PAGE_BYTES);
  });

  it('refuses a cursor of another scope or list, or altered, as InvalidCursor naming the field', async () => {
    await stations.save([
      { code: 'PS-1', chair: 'A' },
      { code: 'PS-2', chair: 'B' },
    ]);
    const { nextCursor } = await page({ limit: 1, cursor: null });
    expect(nextCursor).not.toBeNull();
    const cursor = nextCursor!;
    expect(decodeCursor(BY_CHAIR, 'district-1', cursor)).toEqual([false, 'A', 'PS-1']);
    const refusals = [
      () => page({ limit: 1, cursor }, 'district-2'),
      () =>
        page({
          limit: 1,
          cursor: encodeCursor({ ...BY_CHAIR, list: 'other' }, 'district-1', [false, 'A', 'PS-1']),
        }),
      () => page({ limit: 1, cursor: encodeCursor(BY_CHAIR, 'district-1', [false, 'A\u0000', 'PS-1']) }),
      () => page({ limit: 1, cursor: encodeCursor(BY_CHAIR, 'district-1', ['no', 'A', 'PS-1']) }),
      () =>
        page({
          limit: 1,
          cursor: `${cursor.slice(0, 10)}${cursor[10] === 'Q' ? 'R' : 'Q'}${cursor.slice(11)}`,
        }),
      () => page({ limit: 1, cursor: Buffer.from('[1,false,"A","PS-1"]').toString('base64url') }),
      () => page({ limit: 1, cursor: Buffer.from('[1,false,"A","PS-1","x"]').toString('base64url') }),
    ];
    for (const refused of refusals) {
      const error = await refused().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(InvalidCursor);
      expect((error as InvalidCursor).errors.map((e) => e.field)).toEqual(['cursor']);
    }
    for (const limit of [0, 501, 1.5, Number.NaN])
      await expect(page({ limit, cursor: null })).rejects.toBeInstanceOf(ValidationFailed);
  });
});

describe('the page query of a route', () => {
  const problems = (query: Record<string, unknown>) =>
    validateSync(plainToInstance(PageQuery, query)).map((error) => error.property);

  it('takes a limit from 1 to 500 and a base64url cursor', () => {
    expect(problems({})).toEqual([]);
    expect(problems({ limit: '1', cursor: 'WzEsIkEiXQ' })).toEqual([]);
    expect(problems({ limit: '500' })).toEqual([]);
    expect(plainToInstance(PageQuery, { limit: '25' }).limit).toBe(25);
  });

  it.each([['0'], ['501'], ['-3'], ['2.5'], ['ten'], [''], [['1', '2']]])('refuses limit %p', (limit) =>
    expect(problems({ limit })).toEqual(['limit']),
  );

  it.each([
    ['empty', ''],
    ['not base64url', 'a+b/c='],
    ['longer than any we give out', 'x'.repeat(2049)],
    ['given twice', ['a', 'b']],
  ])('refuses a cursor that is %s', (_why, cursor) => expect(problems({ cursor })).toEqual(['cursor']));
});
