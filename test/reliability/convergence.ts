/**
 * The ledger against every place an acknowledged write must end up: the read models over HTTP (the
 * lists a client walks, page by page) and in their tables, the event store, and the context's Kafka
 * topic (for the contexts that would consume it). Lost: acknowledged and absent. Doubled: a row the
 * ledger does not account for (the trial's writes are tagged, and its clients never give up on a
 * write, so every tagged row must be an acknowledged one) or an id listed twice. Kafka is at least
 * once: a message published twice is counted (`republished`), not doubled; the consumers' inbox drops it.
 */
import kafkajs from 'kafkajs';
import pg from 'pg';
import { messagesUpToTheirEnds } from '../../libs/testing/src/kafka.js';
import type { Ledger, WriteKind } from './ledger.js';

export type ViewCount = {
  readonly view: string;
  readonly kind: WriteKind | 'event';
  readonly expected: number;
  readonly found: number;
  readonly lost: number;
  readonly doubled: number;
  /** Kafka only: messages beyond the first for an event (at least once). */
  readonly republished?: number;
};

export type View = {
  readonly name: string;
  readonly kind: WriteKind | 'event';
  /** Every id found there for the trial (repeated as often as it is there). */
  ids(): Promise<string[]>;
};

export type TrialScope = {
  readonly baseUrl: string;
  readonly token: () => Promise<string>;
  readonly sql: pg.Pool;
  readonly missionId: string;
  /** The prefix of the names of the trial's missions. */
  readonly missionPrefix: string;
};

/** Walks a paged list to its end (`nextCursor: null`). */
const walk = async (scope: TrialScope, path: string, idOf: (item: never) => string | undefined) => {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const url = new URL(`${scope.baseUrl}${path}`);
    url.searchParams.set('limit', '500');
    if (cursor) url.searchParams.set('cursor', cursor);
    const response = await fetch(url, {
      headers: { authorization: `Bearer ${await scope.token()}` },
      signal: AbortSignal.timeout(30_000),
    });
    if (!response.ok) throw new Error(`GET ${path} answered ${response.status}`);
    const page = (await response.json()) as { items: never[]; nextCursor: string | null };
    for (const item of page.items) {
      const id = idOf(item);
      if (id !== undefined) ids.push(id);
    }
    cursor = page.nextCursor;
  } while (cursor);
  return ids;
};

const column = async (sql: pg.Pool, text: string, values: unknown[]): Promise<string[]> =>
  (await sql.query<{ id: string }>(text, values)).rows.map((row) => row.id);

/** The read models and the store, for one trial's mission and missions. */
export const viewsOf = (scope: TrialScope): View[] => [
  {
    name: 'applications list (GET …/applications)',
    kind: 'application',
    ids: () =>
      walk(
        scope,
        `/api/v1/missions/${scope.missionId}/applications`,
        (item: { applicationId: string }) => item.applicationId,
      ),
  },
  {
    name: 'accreditation_applications',
    kind: 'application',
    ids: () =>
      column(scope.sql, 'SELECT application_id AS id FROM accreditation_applications WHERE mission_id = $1', [
        scope.missionId,
      ]),
  },
  {
    name: 'missions list (GET /missions)',
    kind: 'mission',
    ids: () =>
      walk(scope, '/api/v1/missions', (item: { missionId: string; name: string }) =>
        item.name.startsWith(scope.missionPrefix) ? item.missionId : undefined,
      ),
  },
  {
    name: 'missions_view',
    kind: 'mission',
    ids: () =>
      column(scope.sql, 'SELECT mission_id AS id FROM missions_view WHERE starts_with(name, $1)', [
        scope.missionPrefix,
      ]),
  },
  {
    name: 'event store (ApplicationSubmitted)',
    kind: 'application',
    ids: () =>
      column(
        scope.sql,
        `SELECT data->>'applicationId' AS id FROM observa_events
          WHERE category = 'application' AND type = 'ApplicationSubmitted' AND data->>'missionId' = $1`,
        [scope.missionId],
      ),
  },
  {
    name: 'event store (MissionOpened)',
    kind: 'mission',
    ids: () =>
      column(
        scope.sql,
        `SELECT data->>'missionId' AS id FROM observa_events
          WHERE category = 'mission' AND type = 'MissionOpened' AND starts_with(data->>'name', $1)`,
        [scope.missionPrefix],
      ),
  },
];

export const countView = (
  view: string,
  kind: ViewCount['kind'],
  expected: Set<string>,
  found: string[],
): ViewCount => {
  const seen = new Set(found);
  return {
    view,
    kind,
    expected: expected.size,
    found: seen.size,
    lost: [...expected].filter((id) => !seen.has(id)).length,
    doubled: found.length - seen.size + [...seen].filter((id) => !expected.has(id)).length,
  };
};

/** Event ids on `topics` up to their current ends, each as often as it was published. */
export const publishedEventIds = async (
  brokers: readonly string[],
  topics: readonly string[],
): Promise<string[]> => {
  const kafka = new kafkajs.Kafka({
    clientId: 'observa-reliability-reader',
    brokers: [...brokers],
    logLevel: kafkajs.logLevel.NOTHING,
  });
  const messages = await messagesUpToTheirEnds(kafka, topics, {
    reader: 'observa-reliability-reader',
    withinMs: 60_000,
    skipMissingTopics: true,
  });
  return messages.flatMap((message) => {
    const id = message.headers?.eventId;
    return id ? [id.toString()] : [];
  });
};

export type Convergence = {
  /** From the end of the load until the read models and the store held exactly the acknowledged writes. */
  readonly readModelsAfterMs?: number;
  /** … and every acknowledged event was on Kafka too; undefined: never within the bound. */
  readonly convergedAfterMs?: number;
  readonly views: ViewCount[];
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls every view until each holds exactly what the ledger acknowledged, or `timeoutMs` passes. */
export const awaitConvergence = async (
  ledger: Ledger,
  views: readonly View[],
  published: { brokers: readonly string[]; topics: readonly string[] },
  timeoutMs: number,
): Promise<Convergence> => {
  const started = Date.now();
  const expected = (kind: ViewCount['kind']) =>
    kind === 'event' ? new Set(ledger.eventIds()) : ledger.idsOf(kind);
  const countAll = async (): Promise<ViewCount[]> => {
    const counts: ViewCount[] = [];
    for (const view of views) {
      try {
        counts.push(countView(view.name, view.kind, expected(view.kind), await view.ids()));
      } catch {
        // Not answering yet (a process still coming up): counted as holding nothing.
        counts.push(countView(view.name, view.kind, expected(view.kind), []));
      }
    }
    return counts;
  };
  const kafkaCount = async (): Promise<ViewCount> => {
    const wanted = expected('event');
    let found: string[] = [];
    try {
      found = await publishedEventIds(published.brokers, published.topics);
    } catch {
      // The broker is not back yet: nothing published as far as we can tell.
    }
    const relevant = found.filter((id) => wanted.has(id));
    const count = countView('Kafka topics (relayed events)', 'event', wanted, relevant);
    return { ...count, doubled: 0, republished: relevant.length - new Set(relevant).size };
  };
  const settled = (counts: ViewCount[]) => counts.every((c) => c.lost === 0 && c.doubled === 0);

  let counts = await countAll();
  while (!settled(counts) && Date.now() - started < timeoutMs) {
    await sleep(500);
    counts = await countAll();
  }
  if (!settled(counts)) return { views: counts };
  const readModelsAfterMs = Date.now() - started;
  let kafka = await kafkaCount();
  while (kafka.lost > 0 && Date.now() - started < timeoutMs) {
    await sleep(2000);
    kafka = await kafkaCount();
  }
  const views_ = [...counts, kafka];
  return settled(views_)
    ? { readModelsAfterMs, convergedAfterMs: Date.now() - started, views: views_ }
    : { readModelsAfterMs, views: views_ };
};
