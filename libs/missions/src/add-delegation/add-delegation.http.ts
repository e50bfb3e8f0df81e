/** POST /api/v1/missions/{missionId}/delegations: the secretariat adds a member-state delegation. */
import { Body, Controller, Inject, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsNotEmpty, IsString, Matches, MaxLength } from 'class-validator';
import { ApiIdempotencyKey, MissionRoles, Write, WriteReply, type WriteContext } from '#auth';
import { commandContextMessageOf, writeReplyOf } from '#contracts';
import { ApiProblems, BEARER_PROBLEMS } from '#platform';
import { MISSIONS, type Missions } from '../missions.contract.js';
import { ALPHA_2 } from '../open-mission/open-mission.http.js';
import { MissionId } from '../missions-view/missions-view.http.js';

export class AddDelegationRequest {
  @ApiProperty({ example: 'KZ', description: 'member state, ISO 3166-1 alpha-2' })
  @IsString()
  @Matches(ALPHA_2, { message: 'country must be an ISO 3166-1 alpha-2 code, e.g. KZ' })
  readonly country!: string;

  @ApiProperty({ example: 'Yerlan Nurlanovich' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  readonly headOfDelegation!: string;
}

@ApiTags('missions')
@ApiBearerAuth()
@ApiProblems(...BEARER_PROBLEMS)
@Controller('missions')
export class AddDelegationRoute {
  constructor(@Inject(MISSIONS) private readonly missions: Missions) {}

  @Post(':missionId/delegations')
  @MissionRoles('secretariat')
  @ApiIdempotencyKey()
  @ApiOperation({ summary: 'Add a member-state delegation' })
  @ApiCreatedResponse({ type: WriteReply })
  @ApiProblems(403, 404, 409, 413, 422)
  async addDelegation(
    @MissionId() missionId: string,
    @Body() body: AddDelegationRequest,
    @Write() write: WriteContext,
  ): Promise<WriteReply> {
    const written = await this.missions.addDelegation({
      context: commandContextMessageOf(write, missionId),
      country: body.country,
      headOfDelegation: body.headOfDelegation,
    });
    return writeReplyOf(written);
  }
}
