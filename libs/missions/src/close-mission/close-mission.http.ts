/** POST /api/v1/missions/{missionId}/close: the head of mission or the secretariat closes the mission. */
import { Body, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { ApiIdempotencyKey, MissionRoles, Write, WriteReply, type WriteContext } from '#auth';
import { commandContextMessageOf, writeReplyOf } from '#contracts';
import { ApiProblems, BEARER_PROBLEMS } from '#platform';
import { MISSIONS, type Missions } from '../missions.contract.js';
import { MissionId } from '../missions-view/missions-view.http.js';

export class CloseMissionRequest {
  @ApiPropertyOptional({ example: 'final statement published' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  readonly reason?: string;
}

@ApiTags('missions')
@ApiBearerAuth()
@ApiProblems(...BEARER_PROBLEMS)
@Controller('missions')
export class CloseMissionRoute {
  constructor(@Inject(MISSIONS) private readonly missions: Missions) {}

  @Post(':missionId/close')
  @HttpCode(200)
  @MissionRoles('head_of_mission', 'secretariat')
  @ApiIdempotencyKey()
  @ApiOperation({ summary: 'Close the mission' })
  @ApiOkResponse({ type: WriteReply })
  @ApiProblems(403, 404, 409, 413, 422)
  async close(
    @MissionId() missionId: string,
    @Body() body: CloseMissionRequest,
    @Write() write: WriteContext,
  ): Promise<WriteReply> {
    const written = await this.missions.closeMission({
      context: commandContextMessageOf(write, missionId),
      ...(body.reason !== undefined && { reason: body.reason }),
    });
    return writeReplyOf(written);
  }
}
