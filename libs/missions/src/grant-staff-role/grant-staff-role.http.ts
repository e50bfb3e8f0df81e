/** POST /api/v1/missions/{missionId}/staff: the secretariat grants a user a staff role. */
import { Body, Controller, Inject, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { ApiIdempotencyKey, MissionRoles, Write, WriteReply, type WriteContext } from '#auth';
import { commandContextMessageOf, writeReplyOf } from '#contracts';
import { ApiProblems, BEARER_PROBLEMS } from '#platform';
import { STAFF_ROLES, type StaffRole } from '../domain/mission.js';
import { MISSIONS, type Missions } from '../missions.contract.js';
import { MissionId } from '../missions-view/missions-view.http.js';

export class GrantStaffRoleRequest {
  @ApiProperty({ description: 'the user id of an account (see POST /api/v1/users)' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  readonly userId!: string;

  @ApiProperty({ enum: STAFF_ROLES })
  @IsIn([...STAFF_ROLES])
  readonly role!: StaffRole;
}

@ApiTags('missions')
@ApiBearerAuth()
@ApiProblems(...BEARER_PROBLEMS)
@Controller('missions')
export class GrantStaffRoleRoute {
  constructor(@Inject(MISSIONS) private readonly missions: Missions) {}

  @Post(':missionId/staff')
  @MissionRoles('secretariat')
  @ApiIdempotencyKey()
  @ApiOperation({ summary: 'Grant a user a role on the mission staff' })
  @ApiCreatedResponse({ type: WriteReply })
  @ApiProblems(403, 404, 409, 413, 422)
  async grantRole(
    @MissionId() missionId: string,
    @Body() body: GrantStaffRoleRequest,
    @Write() write: WriteContext,
  ): Promise<WriteReply> {
    const written = await this.missions.grantStaffRole({
      context: commandContextMessageOf(write, missionId),
      userId: body.userId,
      role: body.role,
    });
    return writeReplyOf(written);
  }
}
