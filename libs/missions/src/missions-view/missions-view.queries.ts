/**
 * The queries of the missions-view read model. The edge has authorized the caller for the route; the
 * mission filter is kept here too, from the caller the query came with (its QueryContext).
 */
import type { Repository } from 'typeorm';
import { NotFound } from '#event-sourcing';
import { PAGE_LIMITS, readPage, type Keyset } from '#platform';
import type { QueryContext } from '#proto/observa/common/v1/calls';
import type {
  GetMissionRequest,
  GetMissionResponse,
  ListMissionsRequest,
  ListMissionsResponse,
  MissionDetail,
  MissionSummary,
} from '#proto/observa/missions/v1/missions';
import type { MissionView } from './missions-view.projection.js';

/** Oldest first. Opening times come from the events' `occurredAt` (milliseconds), so the ISO form is exact. */
const MISSIONS_ORDER: Keyset<MissionView> = {
  list: 'missions',
  keys: [
    { sql: 'm.opened_at', type: 'timestamptz', of: (view) => view.openedAt.toISOString() },
    { sql: 'm.mission_id', type: 'text', of: (view) => view.missionId },
  ],
};

const summaryOf = (view: MissionView): MissionSummary => ({
  missionId: view.missionId,
  name: view.name,
  organisation: view.organisation,
  hostCountry: view.hostCountry,
  election: { kind: view.election.kind, date: view.election.date, rounds: view.election.rounds },
  status: view.status,
});

const detailOf = (view: MissionView): MissionDetail => ({
  summary: summaryOf(view),
  delegations: view.delegations.map(({ country, headOfDelegation }) => ({ country, headOfDelegation })),
  staff: view.staff.map(({ userId, roles }) => ({ userId, roles: [...roles] })),
  openedAt: view.openedAt.toISOString(),
  ...(view.closedAt && { closedAt: view.closedAt.toISOString() }),
  streamVersion: String(view.streamVersion),
});

const isAdmin = (context: QueryContext | undefined): boolean => context?.principal?.platformRole === 'admin';

/** The missions the caller holds roles in. */
const ownMissions = (context: QueryContext | undefined): string[] =>
  Object.keys(context?.principal?.missionRoles ?? {});

const holdsRoleIn = (context: QueryContext | undefined, missionId: string): boolean =>
  (context?.principal?.missionRoles?.[missionId]?.roles?.length ?? 0) > 0;

export const listMissions = async (
  views: Repository<MissionView>,
  { context, page }: ListMissionsRequest,
): Promise<ListMissionsResponse> => {
  const query = views.createQueryBuilder('m');
  if (!isAdmin(context)) query.where('m.mission_id = ANY(:own)', { own: ownMissions(context) });
  const read = await readPage(
    query,
    MISSIONS_ORDER,
    null,
    { limit: page?.limit || PAGE_LIMITS.default, cursor: page?.cursor ?? null },
    (rows) => rows.map(summaryOf),
  );
  return { items: read.items, ...(read.nextCursor !== null && { nextCursor: read.nextCursor }) };
};

export const getMission = async (
  views: Repository<MissionView>,
  { context, missionId }: GetMissionRequest,
): Promise<GetMissionResponse> => {
  const member = isAdmin(context) || holdsRoleIn(context, missionId);
  const view = member ? await views.findOneBy({ missionId }) : null;
  if (!view) throw new NotFound(`there is no mission ${missionId}`);
  return { mission: detailOf(view) };
};
