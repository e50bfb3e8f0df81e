/** POST /missions/:missionId/rule-sets: a version of an eligibility rule set, as data. */
import { Body, Controller, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiIdempotencyKey, MissionRoles, Write, WriteReply, type WriteContext } from '#auth';
import { commandContextMessageOf, writeReplyOf } from '#contracts';
import { ApiProblems, BEARER_PROBLEMS } from '#platform';
import { RuleSetView } from '../applications-view/views.js';
import { ACCREDITATION, type Accreditation } from '../accreditation.contract.js';
import { overHttp } from '../http-errors.js';
import { WRITERS } from '../roles.js';

@ApiTags('accreditation')
@ApiBearerAuth()
@ApiProblems(...BEARER_PROBLEMS, 403, 404)
@Controller('missions/:missionId/rule-sets')
export class PublishRuleSetRoute {
  constructor(@Inject(ACCREDITATION) private readonly accreditation: Accreditation) {}

  @Post()
  @HttpCode(201)
  @MissionRoles(...WRITERS)
  @ApiOperation({
    summary: 'Publish a version of an eligibility rule set',
    description:
      'The body is the rule set as data: {id, version, missionId?, election: {country, kind, date}, rules: [...]}. ' +
      'A change is a new version; every problem of an invalid rule set is named (400).',
  })
  @ApiBody({ type: RuleSetView, description: 'missionId may be left out: the path names the mission' })
  @ApiCreatedResponse({ type: WriteReply })
  @ApiProblems(409, 413, 422)
  @ApiIdempotencyKey()
  async publish(
    @Param('missionId') missionId: string,
    @Body() ruleSet: unknown,
    @Write() write: WriteContext,
  ): Promise<WriteReply> {
    return writeReplyOf(
      await overHttp(
        this.accreditation.publishRuleSet({
          context: commandContextMessageOf(write, missionId),
          // The context validates the document whole and names every problem.
          ruleSetJson: JSON.stringify(ruleSet ?? null),
        }),
      ),
    );
  }
}
