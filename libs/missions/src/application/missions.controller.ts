/** /api/v1/missions: open, read, staff and close missions. Who may call what is on each route. */
import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { ApiProblems, BEARER_PROBLEMS } from '#platform';
import {
  ApiIdempotencyKey,
  commandContextOf,
  CurrentPrincipal,
  MISSION_ROLES,
  MissionRoles,
  PlatformAdmin,
  snapshotOf,
  Write,
  WriteReply,
  type Principal,
  type WriteContext,
} from '#auth';
import { pageRequestOf, PageQuery, type Page } from '#platform';
import type { StaffRole } from '../domain/mission.js';
import {
  AddDelegation,
  CloseMission,
  GrantStaffRole,
  OpenMission,
  RemoveDelegation,
  WithdrawStaffRole,
} from './commands.js';
import type { MissionDetail, MissionSummary } from './mission.read-model.js';
import {
  AddDelegationRequest,
  CloseMissionRequest,
  GrantStaffRoleRequest,
  MissionDetailView,
  MissionPage,
  OpenMissionRequest,
} from './missions.dto.js';
import { GetMission, ListMissions } from './queries.js';

const MissionId = () => Param('missionId', new ParseUUIDPipe());
@ApiTags('missions')
@ApiBearerAuth()
@ApiProblems(...BEARER_PROBLEMS)
@Controller('missions')
export class MissionsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @PlatformAdmin()
  @ApiIdempotencyKey()
  @ApiOperation({ summary: 'Open a mission for an election (platform administrator)' })
  @ApiCreatedResponse({ type: WriteReply })
  @ApiProblems(403, 409, 413, 422)
  open(@Body() body: OpenMissionRequest, @Write() write: WriteContext): Promise<WriteReply> {
    const missionId = write.newId('mission');
    const { kind, date, rounds } = body.election;
    return this.commands.execute(
      new OpenMission(
        {
          missionId,
          name: body.name,
          organisation: body.organisation,
          hostCountry: body.hostCountry,
          election: { kind, date, rounds },
        },
        commandContextOf(write, missionId),
      ),
    );
  }

  @Get()
  @ApiOperation({ summary: 'The missions the caller may see' })
  @ApiOkResponse({
    type: MissionPage,
    description:
      'all missions for the administrator, else those the caller holds a role in; oldest first, a page at a time',
  })
  list(@CurrentPrincipal() principal: Principal, @Query() page: PageQuery): Promise<Page<MissionSummary>> {
    return this.queries.execute(new ListMissions(snapshotOf(principal), pageRequestOf(page)));
  }

  @Get(':missionId')
  @MissionRoles(...MISSION_ROLES)
  @ApiParam({ name: 'missionId', format: 'uuid' })
  @ApiOperation({ summary: 'One mission, with its delegations and staff' })
  @ApiOkResponse({ type: MissionDetailView })
  @ApiProblems(403, 404)
  get(@MissionId() missionId: string, @CurrentPrincipal() principal: Principal): Promise<MissionDetail> {
    return this.queries.execute(new GetMission({ missionId }, snapshotOf(principal)));
  }

  @Post(':missionId/delegations')
  @MissionRoles('secretariat')
  @ApiIdempotencyKey()
  @ApiOperation({ summary: 'Add a member-state delegation' })
  @ApiCreatedResponse({ type: WriteReply })
  @ApiProblems(403, 404, 409, 413, 422)
  addDelegation(
    @MissionId() missionId: string,
    @Body() body: AddDelegationRequest,
    @Write() write: WriteContext,
  ): Promise<WriteReply> {
    return this.commands.execute(
      new AddDelegation(
        { missionId, country: body.country, headOfDelegation: body.headOfDelegation },
        commandContextOf(write),
      ),
    );
  }

  @Delete(':missionId/delegations/:country')
  @MissionRoles('secretariat')
  @ApiIdempotencyKey()
  @ApiOperation({ summary: 'Remove a delegation' })
  @ApiOkResponse({ type: WriteReply })
  @ApiProblems(403, 404, 409, 413, 422)
  removeDelegation(
    @MissionId() missionId: string,
    @Param('country') country: string,
    @Write() write: WriteContext,
  ): Promise<WriteReply> {
    return this.commands.execute(new RemoveDelegation({ missionId, country }, commandContextOf(write)));
  }

  @Post(':missionId/staff')
  @MissionRoles('secretariat')
  @ApiIdempotencyKey()
  @ApiOperation({ summary: 'Grant a user a role on the mission staff' })
  @ApiCreatedResponse({ type: WriteReply })
  @ApiProblems(403, 404, 409, 413, 422)
  grantRole(
    @MissionId() missionId: string,
    @Body() body: GrantStaffRoleRequest,
    @Write() write: WriteContext,
  ): Promise<WriteReply> {
    return this.commands.execute(
      new GrantStaffRole({ missionId, userId: body.userId, role: body.role }, commandContextOf(write)),
    );
  }

  @Delete(':missionId/staff/:userId/roles/:role')
  @MissionRoles('secretariat')
  @ApiIdempotencyKey()
  @ApiOperation({ summary: "Withdraw a staff member's role" })
  @ApiOkResponse({ type: WriteReply })
  @ApiProblems(403, 404, 409, 413, 422)
  withdrawRole(
    @MissionId() missionId: string,
    @Param('userId') userId: string,
    @Param('role') role: string,
    @Write() write: WriteContext,
  ): Promise<WriteReply> {
    return this.commands.execute(
      new WithdrawStaffRole({ missionId, userId, role: role as StaffRole }, commandContextOf(write)),
    );
  }

  @Post(':missionId/close')
  @HttpCode(200)
  @MissionRoles('head_of_mission', 'secretariat')
  @ApiIdempotencyKey()
  @ApiOperation({ summary: 'Close the mission' })
  @ApiOkResponse({ type: WriteReply })
  @ApiProblems(403, 404, 409, 413, 422)
  close(
    @MissionId() missionId: string,
    @Body() body: CloseMissionRequest,
    @Write() write: WriteContext,
  ): Promise<WriteReply> {
    return this.commands.execute(
      new CloseMission(
        { missionId, ...(body.reason !== undefined && { reason: body.reason }) },
        commandContextOf(write),
      ),
    );
  }
}
