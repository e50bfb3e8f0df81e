/** GET /api/v1/missions and /api/v1/missions/{missionId}: the missions-view read model over HTTP. */
import { Controller, Get, Inject, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentPrincipal, MISSION_ROLES, MissionRoles, type Principal } from '#auth';
import { pageMessageOf, queryContextMessageOf } from '#contracts';
import {
  ApiProblems,
  BEARER_PROBLEMS,
  currentCorrelationId,
  pageRequestOf,
  pageSchema,
  PageQuery,
  type Page,
} from '#platform';
import type {
  MissionDetail as DetailMessage,
  MissionSummary as SummaryMessage,
} from '#proto/observa/missions/v1/missions';
import { STAFF_ROLES, type StaffRole } from '../domain/mission.js';
import { MISSIONS, type Missions } from '../missions.contract.js';
import { ElectionRequest } from '../open-mission/open-mission.http.js';

/** The `missionId` path parameter, a UUID. */
export const MissionId = () => Param('missionId', new ParseUUIDPipe());

export class DelegationView {
  @ApiProperty() readonly country!: string;
  @ApiProperty() readonly headOfDelegation!: string;
}

export class StaffMemberView {
  @ApiProperty() readonly userId!: string;
  @ApiProperty({ enum: STAFF_ROLES, isArray: true }) readonly roles!: StaffRole[];
}

export class MissionSummaryView {
  @ApiProperty() readonly missionId!: string;
  @ApiProperty() readonly name!: string;
  @ApiProperty() readonly organisation!: string;
  @ApiProperty() readonly hostCountry!: string;
  @ApiProperty({ type: ElectionRequest }) readonly election!: ElectionRequest;
  @ApiProperty({ enum: ['open', 'closed'] }) readonly status!: 'open' | 'closed';
}

export const MissionPage = pageSchema('MissionPage', MissionSummaryView);

export class MissionDetailView extends MissionSummaryView {
  @ApiProperty({ type: [DelegationView] }) readonly delegations!: DelegationView[];
  @ApiProperty({ type: [StaffMemberView] }) readonly staff!: StaffMemberView[];
  @ApiProperty() readonly openedAt!: string;
  @ApiPropertyOptional() readonly closedAt?: string;
  @ApiProperty({ description: 'version of the mission stream this view reflects' })
  readonly streamVersion!: string;
}

const summaryJson = (summary: SummaryMessage | undefined): MissionSummaryView => ({
  missionId: summary?.missionId ?? '',
  name: summary?.name ?? '',
  organisation: summary?.organisation ?? '',
  hostCountry: summary?.hostCountry ?? '',
  election: {
    kind: summary?.election?.kind as ElectionRequest['kind'],
    date: summary?.election?.date ?? '',
    rounds: summary?.election?.rounds ?? 0,
  },
  status: summary?.status as MissionSummaryView['status'],
});

const detailJson = (detail: DetailMessage | undefined): MissionDetailView => ({
  ...summaryJson(detail?.summary),
  delegations: (detail?.delegations ?? []).map(({ country, headOfDelegation }) => ({
    country,
    headOfDelegation,
  })),
  staff: (detail?.staff ?? []).map(({ userId, roles }) => ({ userId, roles: roles as StaffRole[] })),
  openedAt: detail?.openedAt ?? '',
  ...(detail?.closedAt && { closedAt: detail.closedAt }),
  streamVersion: String(detail?.streamVersion ?? ''),
});

@ApiTags('missions')
@ApiBearerAuth()
@ApiProblems(...BEARER_PROBLEMS)
@Controller('missions')
export class MissionsViewRoutes {
  constructor(@Inject(MISSIONS) private readonly missions: Missions) {}

  @Get()
  @ApiOperation({ summary: 'The missions the caller may see' })
  @ApiOkResponse({
    type: MissionPage,
    description:
      'all missions for the administrator, else those the caller holds a role in; oldest first, a page at a time',
  })
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query() page: PageQuery,
  ): Promise<Page<MissionSummaryView>> {
    const { items, nextCursor } = await this.missions.listMissions({
      context: queryContextMessageOf(principal, currentCorrelationId() ?? ''),
      page: pageMessageOf(pageRequestOf(page)),
    });
    return { items: (items ?? []).map(summaryJson), nextCursor: nextCursor ?? null };
  }

  @Get(':missionId')
  @MissionRoles(...MISSION_ROLES)
  @ApiParam({ name: 'missionId', format: 'uuid' })
  @ApiOperation({ summary: 'One mission, with its delegations and staff' })
  @ApiOkResponse({ type: MissionDetailView })
  @ApiProblems(403, 404)
  async get(
    @MissionId() missionId: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<MissionDetailView> {
    const { mission } = await this.missions.getMission({
      context: queryContextMessageOf(principal, currentCorrelationId() ?? ''),
      missionId,
    });
    return detailJson(mission);
  }
}
