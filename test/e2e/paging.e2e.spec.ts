/**
 * Lists are paged (DESIGN.md §7), in both run modes: 1,200 imported applications walked a page at a time
 * come back each exactly once and in order, also while new ones arrive between pages; the limits and a
 * full last page; cursors that were altered, or belong to another list, mission or filter, are 400 and
 * never a 500; another mission's applications never appear; the missions, rule sets and observers lists
 * page the same way; the OpenAPI document names the parameters and each list's page.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { kyrgyzstan2023LtoCall } from '#accreditation';
import { startDistributed } from './distributed.js';
import { anna, HEADER, kazakhMission, kyrgyzMission } from './fixtures.js';
import { bearer, startStandalone, type World } from './harness.js';
import { importReport } from './import-jobs.js';

const PROBLEM = /^application\/problem\+json/;
const IMPORTED = 1_200;

type Application = { applicationId: string; missionId: string; submittedAt: string; status: string };
type PageBody<T> = { items: T[]; nextCursor: string | null };

/** The rows of a roster of `count` eligible German LTOs speaking Russian, family names in reverse of their rows. */
const roster = (count: number, prefix: string): string[] =>
  Array.from({ length: count }, (_, i) => {
    const n = String(i).padStart(5, '0');
    const family = `Family${String(count - 1 - i).padStart(5, '0')}`;
    return `Given${n},${family},1980-01-01,DE,passport,${prefix}${n},,de;ru,LTO,DE,none,passport;photo`;
  });

/**
 * Rows per import request. One import is one call to the context, which the gateway gives 30 s: on this
 * shared machine 1,200 rows in one file took longer in the distributed mode (504).
 */
const ROWS_PER_IMPORT = 200;

describe.each([
  ['standalone', startStandalone],
  ['distributed', startDistributed],
] as const)('paged lists over HTTP (%s)', (_mode, start) => {
  let world: World;
  let admin: string;
  let secretariat: string;
  let kyrgyz: string;
  let kazakh: string;
  let kazakhIds: string[];

  const get = (path: string, token = secretariat) => world.http.get(path).set(bearer(token));
  const applications = (mission: string) => `/api/v1/missions/${mission}/applications`;

  /** Every page of a list, following nextCursor; `between` runs after each page but the last. */
  const walk = async <T>(
    path: string,
    limit: number,
    between: (pages: number) => Promise<void> = async () => {},
  ): Promise<{ items: T[]; sizes: number[] }> => {
    const items: T[] = [];
    const sizes: number[] = [];
    let cursor: string | null = null;
    do {
      const separator = path.includes('?') ? '&' : '?';
      const query: string = `${separator}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`;
      const response = await get(`${path}${query}`);
      expect({ path: `${path}${query}`, status: response.status }).toEqual({
        path: `${path}${query}`,
        status: 200,
      });
      const page = response.body as PageBody<T>;
      items.push(...page.items);
      sizes.push(page.items.length);
      cursor = page.nextCursor;
      if (cursor) await between(sizes.length);
    } while (cursor);
    return { items, sizes };
  };

  const importRoster = async (mission: string, rows: string[]): Promise<string[]> => {
    const ids: string[] = [];
    for (let from = 0; from < rows.length; from += ROWS_PER_IMPORT) {
      const response = await world.http
        .post(`${applications(mission)}/import`)
        .set(bearer(secretariat))
        .set('content-type', 'text/csv')
        .send([HEADER, ...rows.slice(from, from + ROWS_PER_IMPORT)].join('\n'));
      const report = await importReport(world, secretariat, response, 120_000);
      expect(report.refused).toBe(0);
      ids.push(...report.rows.map((row) => row.applicationId!));
    }
    return ids;
  };

  const inReadModel = (mission: string, count: number) =>
    world.eventually(
      async () => {
        const [{ n }] = (await world.dataSource.query(
          'SELECT count(*)::int AS n FROM accreditation_applications WHERE mission_id = $1',
          [mission],
        )) as { n: number }[];
        expect(n).toBe(count);
      },
      { timeoutMs: 120_000, intervalMs: 200 },
    );

  /** The order the list promises: by submission time, then by id; strictly, so nothing repeats. */
  const expectInOrder = (items: Application[]) =>
    items.slice(1).forEach((item, i) => {
      const before = items[i];
      const later =
        item.submittedAt > before.submittedAt ||
        (item.submittedAt === before.submittedAt && item.applicationId > before.applicationId);
      expect({ before, item, later }).toMatchObject({ later: true });
    });

  beforeAll(async () => {
    world = await start();
    admin = await world.asAdmin();
    const userId = await world.registerUser('aigerim@mission.example', 'aigerim-password-1');
    secretariat = await world.login('aigerim@mission.example', 'aigerim-password-1');
    const open = async (mission: object) => {
      const opened = await world.http.post('/api/v1/missions').set(bearer(admin)).send(mission);
      expect(opened.status).toBe(201);
      const id = opened.body.id as string;
      const granted = await world.http
        .post(`/api/v1/missions/${id}/staff`)
        .set(bearer(admin))
        .send({ userId, role: 'secretariat' });
      expect(granted.status).toBe(201);
      return id;
    };
    kyrgyz = await open(kyrgyzMission);
    kazakh = await open(kazakhMission);
    for (const mission of [kyrgyz, kazakh])
      await world.eventually(async () => expect((await get(applications(mission))).status).toBe(200));
    kazakhIds = await importRoster(kazakh, roster(3, 'KZ'));
    await importRoster(kyrgyz, roster(IMPORTED, 'KG'));
    await inReadModel(kazakh, 3);
    await inReadModel(kyrgyz, IMPORTED);
  }, 600_000);
  afterAll(() => world?.close(), 60_000);

  it('walks 1,200 applications page by page, each exactly once and in order, new ones arriving between pages', async () => {
    const arrived: string[] = [];
    const { items, sizes } = await walk<Application>(applications(kyrgyz), 100, async (pages) => {
      if (pages !== 3 && pages !== 7) return;
      // Submitted while the walk is under way: after every row walked so far, so on a later page.
      const n = arrived.length;
      const response = await world.http
        .post(applications(kyrgyz))
        .set(bearer(secretariat))
        .send({
          ...anna,
          person: {
            ...anna.person,
            identityDocument: { ...anna.person.identityDocument, number: `LATE${n}` },
          },
        });
      expect(response.status).toBe(201);
      arrived.push(response.body.id as string);
      await inReadModel(kyrgyz, IMPORTED + arrived.length);
    });
    const ids = items.map((item) => item.applicationId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(IMPORTED + 2);
    expect(sizes).toEqual([...Array<number>(12).fill(100), 2]);
    expect(ids.slice(-2)).toEqual(arrived);
    expectInOrder(items);
    expect(items.every((item) => item.missionId === kyrgyz)).toBe(true);
    const stored = (await world.dataSource.query(
      'SELECT application_id AS id FROM accreditation_applications WHERE mission_id = $1 ORDER BY submitted_at, application_id',
      [kyrgyz],
    )) as { id: string }[];
    expect(ids).toEqual(stored.map((row) => row.id));
  }, 300_000);

  it('pages by one and by the most a page may hold (500); the last page ends the list', async () => {
    const first = await get(`${applications(kyrgyz)}?limit=1`);
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(1);
    const second = await get(`${applications(kyrgyz)}?limit=1&cursor=${first.body.nextCursor}`);
    expect(second.body.items).toHaveLength(1);
    const both = await get(`${applications(kyrgyz)}?limit=2`);
    expect([...first.body.items, ...second.body.items]).toEqual(both.body.items);

    const { items, sizes } = await walk<Application>(applications(kyrgyz), 500);
    expect(sizes).toEqual([500, 500, items.length - 1000]);
    expect((await get(applications(kyrgyz))).body.items).toHaveLength(50);
  });

  it('says nextCursor null on a full last page: exactly a page of items is one page', async () => {
    const exact = await get(`${applications(kazakh)}?limit=3`);
    expect(exact.body).toEqual({ items: expect.any(Array), nextCursor: null });
    expect(exact.body.items.map((a: Application) => a.applicationId).sort()).toEqual([...kazakhIds].sort());
    const { sizes } = await walk<Application>(applications(kazakh), 1);
    expect(sizes).toEqual([1, 1, 1]);
  });

  it.each([
    ['0', 'limit'],
    ['501', 'limit'],
    ['-1', 'limit'],
    ['1.5', 'limit'],
    ['ten', 'limit'],
    ['', 'limit'],
  ])('refuses limit=%s with 400 naming the field', async (limit, field) => {
    const response = await get(`${applications(kyrgyz)}?limit=${limit}`);
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(PROBLEM);
    expect(response.body.errors.map((e: { field: string }) => e.field)).toEqual(
      expect.arrayContaining([field]),
    );
  });

  it('refuses an altered or made-up cursor with 400 naming it, never a 500', async () => {
    const cursor: string = (await get(`${applications(kyrgyz)}?limit=5`)).body.nextCursor;
    const middle = Math.floor(cursor.length / 2);
    const flipped = `${cursor.slice(0, middle)}${cursor[middle] === 'A' ? 'B' : 'A'}${cursor.slice(middle + 1)}`;
    const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as unknown[];
    const edited = (values: unknown[]) => Buffer.from(JSON.stringify(values)).toString('base64url');
    const altered = [
      flipped,
      cursor.slice(0, -3),
      `${cursor}AAAA`,
      'abc',
      '!!!',
      'x'.repeat(5000),
      Buffer.from('not json').toString('base64url'),
      Buffer.from('{"after":1}').toString('base64url'),
      // Keys changed without the check: a date that is none, a NUL Postgres refuses, a number.
      edited([decoded[0], 'not a date', decoded[2], decoded[3]]),
      edited([decoded[0], '2023-11-01T00:00:00.000Z\u0000', decoded[2], decoded[3]]),
      edited([decoded[0], 12, decoded[2], decoded[3]]),
      edited([decoded[0], decoded[1], `${decoded[2] as string}0`, decoded[3]]),
    ];
    for (const bad of altered) {
      const response = await get(`${applications(kyrgyz)}?cursor=${encodeURIComponent(bad)}`);
      expect({ bad, status: response.status }).toEqual({ bad, status: 400 });
      expect(response.headers['content-type']).toMatch(PROBLEM);
      expect(response.body.errors.map((e: { field: string }) => e.field)).toEqual(['cursor']);
    }
    const twice = await get(`${applications(kyrgyz)}?cursor=${cursor}&cursor=${cursor}`);
    expect(twice.status).toBe(400);
  });

  it("refuses a cursor of another mission, filter or list, and never shows another mission's applications", async () => {
    const cursor: string = (await get(`${applications(kyrgyz)}?limit=1`)).body.nextCursor;
    for (const path of [
      `${applications(kazakh)}?cursor=${cursor}`,
      `${applications(kyrgyz)}?status=submitted&cursor=${cursor}`,
      `/api/v1/missions/${kyrgyz}/observers?cursor=${cursor}`,
      `/api/v1/missions/${kyrgyz}/rule-sets?cursor=${cursor}`,
      `/api/v1/missions?cursor=${cursor}`,
    ]) {
      const response = await get(path, path === `/api/v1/missions?cursor=${cursor}` ? admin : secretariat);
      expect({ path, status: response.status }).toEqual({ path, status: 400 });
      expect(response.body.errors).toEqual([{ field: 'cursor', message: expect.stringContaining('cursor') }]);
    }
    const { items } = await walk<Application>(applications(kazakh), 2);
    expect(items.map((item) => item.applicationId).sort()).toEqual([...kazakhIds].sort());
    expect(items.every((item) => item.missionId === kazakh)).toBe(true);
  });

  it('keeps the status filter while paging, and skips nothing when a row walked past leaves the filter', async () => {
    let rejected: string | undefined;
    const { items } = await walk<Application>(
      `${applications(kyrgyz)}?status=submitted`,
      100,
      async (pages) => {
        if (pages !== 2) return;
        // An application of the first page is rejected: the rows after it move up by one. An offset
        // would now skip one of them; the cursor, which holds the last row's place, skips none.
        const first = (await get(`${applications(kyrgyz)}?status=submitted&limit=1`))
          .body as PageBody<Application>;
        rejected = first.items[0].applicationId;
        const at = `${applications(kyrgyz)}/${rejected}`;
        const response = await world.http
          .post(`${at}/reject`)
          .set(bearer(secretariat))
          .send({ reason: 'withdrew' });
        expect(response.status).toBe(200);
        await world.eventually(async () => expect((await get(at)).body.status).toBe('rejected'));
      },
    );
    expect(rejected).toBeDefined();
    expect(items).toHaveLength(IMPORTED + 2);
    expect(new Set(items.map((item) => item.applicationId)).size).toBe(IMPORTED + 2);
    expect(items.every((item) => item.status === 'submitted')).toBe(true);
    expectInOrder(items);
    const now = await walk<Application>(`${applications(kyrgyz)}?status=submitted`, 500);
    expect(now.items.map((item) => item.applicationId)).toEqual(
      items.map((item) => item.applicationId).filter((id) => id !== rejected),
    );
    expect((await get(`${applications(kyrgyz)}?status=granted&limit=10`)).body).toEqual({
      items: [],
      nextCursor: null,
    });
  });

  it('pages missions, rule sets and accredited observers (by delegation, then as they came in) the same way', async () => {
    const missions = await walk<{ missionId: string }>('/api/v1/missions', 1);
    expect(missions.items.map((m) => m.missionId)).toEqual([kyrgyz, kazakh]);
    expect(missions.sizes).toEqual([1, 1]);
    const asAdmin = await get('/api/v1/missions?limit=1', admin);
    expect(asAdmin.body.items).toHaveLength(1);
    expect(asAdmin.body.nextCursor).toEqual(expect.any(String));

    const ruleSet = kyrgyzstan2023LtoCall(kyrgyz);
    for (const id of ['b-second', 'a-first', 'c-third'])
      expect(
        (
          await world.http
            .post(`/api/v1/missions/${kyrgyz}/rule-sets`)
            .set(bearer(secretariat))
            .send({ ...ruleSet, id })
        ).status,
      ).toBe(201);
    const ruleSets = await world.eventually(async () => {
      const walked = await walk<{ id: string }>(`/api/v1/missions/${kyrgyz}/rule-sets`, 2);
      expect(walked.sizes).toEqual([2, 1]);
      return walked.items;
    });
    expect(ruleSets.map((r) => r.id)).toEqual(['a-first', 'b-second', 'c-third']);

    // Three accredited; the observers list has them by delegation, then in the order they came in (names
    // are sealed in the read model: the database cannot order by them).
    const { items: firstThree } = (await get(`${applications(kyrgyz)}?status=submitted&limit=3`))
      .body as PageBody<Application & { person: { familyName: string } }>;
    for (const [i, { applicationId }] of firstThree.entries()) {
      const at = `${applications(kyrgyz)}/${applicationId}`;
      const step = async (path: string, body: object, status = 200) =>
        expect((await world.http.post(`${at}/${path}`).set(bearer(secretariat)).send(body)).status).toBe(
          status,
        );
      await step('screen', { ruleSetId: 'a-first' });
      await world.eventually(async () => expect((await get(at)).body.status).toBe('screened'));
      await step('approve', {});
      await world.eventually(async () => expect((await get(at)).body.status).toBe('approved'));
      await step('accreditation-request', { hostBody: 'CEC of the Kyrgyz Republic' });
      await world.eventually(async () => expect((await get(at)).body.status).toBe('requested'));
      await step('grant', {
        badgeNumber: `KG-PAGE-${i}`,
        validFrom: '2023-11-01T00:00:00Z',
        validTo: '2099-12-15T00:00:00Z',
      });
    }
    const observers = await world.eventually(async () => {
      const walked = await walk<Application & { person: { familyName: string } }>(
        `/api/v1/missions/${kyrgyz}/observers?delegation=DE&language=ru`,
        2,
      );
      expect(walked.sizes).toEqual([2, 1]);
      return walked.items;
    });
    expect(observers.map((o) => o.applicationId)).toEqual(firstThree.map((a) => a.applicationId));
    expect(new Set(observers.map((o) => o.person.familyName)).size).toBe(3);
    // Languages are sealed too: filtered once a page is opened, so pages may come back empty until the end.
    const speakingKazakh = await walk<Application>(`/api/v1/missions/${kyrgyz}/observers?language=kk`, 1);
    expect(speakingKazakh.items).toEqual([]);
    expect(speakingKazakh.sizes.every((size) => size === 0)).toBe(true);
  }, 120_000);

  it('documents limit and cursor and a named page on every list route', async () => {
    const document = (await world.http.get('/api/docs-json')).body as {
      paths: Record<string, { get?: { parameters: { name: string; in: string }[]; responses: object } }>;
      components: { schemas: Record<string, { properties: Record<string, unknown> }> };
    };
    const lists = {
      '/api/v1/missions': 'MissionPage',
      '/api/v1/missions/{missionId}/applications': 'ApplicationPage',
      '/api/v1/missions/{missionId}/observers': 'ObserverPage',
      '/api/v1/missions/{missionId}/rule-sets': 'RuleSetPage',
    };
    for (const [path, page] of Object.entries(lists)) {
      const route = document.paths[path].get!;
      expect(route.parameters.filter((p) => p.in === 'query').map((p) => p.name)).toEqual(
        expect.arrayContaining(['limit', 'cursor']),
      );
      expect(JSON.stringify(route.responses)).toContain(`#/components/schemas/${page}`);
      expect(Object.keys(document.components.schemas[page].properties).sort()).toEqual([
        'items',
        'nextCursor',
      ]);
    }
  });
});
