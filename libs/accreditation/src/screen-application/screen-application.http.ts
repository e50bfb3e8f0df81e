/** POST /missions/:missionId/applications/:applicationId/screen: screening against the mission's rule set. */
import { Body, Controller, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { ApiIdempotencyKey, MissionRoles, Write, WriteReply, type WriteContext } from '#auth';
import { commandContextMessageOf, writeReplyOf } from '#contracts';
import { ApiProblems, BEARER_PROBLEMS } from '#platform';
import { ACCREDITATION, type Accreditation } from '../accreditation.contract.js';
import { overHttp } from '../http-errors.js';
import { WRITERS } from '../roles.js';

export class ScreenBody {
  @ApiProperty({ example: 'kg-2023-parliamentary-lto' }) @IsString() @Length(1, 200) ruleSetId!: string;
}

@ApiTags('accreditation')
@ApiBearerAuth()
@ApiProblems(...BEARER_PROBLEMS, 403, 404)
@Controller('missions/:missionId/applications')
export class ScreenApplicationRoute {
  constructor(@Inject(ACCREDITATION) private readonly accreditation: Accreditation) {}

  @Post(':applicationId/screen')
  @HttpCode(200)
  @MissionRoles(...WRITERS)
  @ApiOperation({
    summary: 'Screen against a rule set (its latest version)',
    description: 'The result names every rule that failed; a new screening is a new event.',
  })
  @ApiOkResponse({ type: WriteReply })
  @ApiProblems(409, 413, 422)
  @ApiIdempotencyKey()
  async screen(
    @Param('missionId') missionId: string,
    @Param('applicationId') applicationId: string,
    @Body() body: ScreenBody,
    @Write() write: WriteContext,
  ): Promise<WriteReply> {
    return writeReplyOf(
      await overHttp(
        this.accreditation.screenApplication({
          context: commandContextMessageOf(write, missionId),
          applicationId,
          ruleSetId: body.ruleSetId,
        }),
      ),
    );
  }
}
