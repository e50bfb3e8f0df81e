/** POST /missions/:missionId/applications/:applicationId/screen: screening against the mission's rule set. */
import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { ApiIdempotencyKey, MissionRoles, Write, WriteReply, type WriteContext } from '#auth';
import { ApiProblems, BEARER_PROBLEMS } from '#platform';
import { overHttp } from '../http-errors.js';
import { WRITERS } from '../roles.js';
import { plainContext, type WriteResult } from '../write-result.js';
import { ScreenApplication } from './screen-application.transport.js';

export class ScreenBody {
  @ApiProperty({ example: 'kg-2023-parliamentary-lto' }) @IsString() @Length(1, 200) ruleSetId!: string;
}

@ApiTags('accreditation')
@ApiBearerAuth()
@ApiProblems(...BEARER_PROBLEMS, 403, 404)
@Controller('missions/:missionId/applications')
export class ScreenApplicationRoute {
  constructor(private readonly commands: CommandBus) {}

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
  ): Promise<WriteResult> {
    return overHttp(
      this.commands.execute(
        new ScreenApplication({ missionId, applicationId, ruleSetId: body.ruleSetId }, plainContext(write)),
      ),
    );
  }
}
