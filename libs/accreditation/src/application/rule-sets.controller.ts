/** POST/GET /missions/:missionId/rule-sets: eligibility rule sets as data, published as versions. */
import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  ApiBearerAuth,
  ApiBody,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ApiIdempotencyKey, MissionRoles, Write, WriteReply, type WriteContext } from '#auth';
import { ApiProblems, BEARER_PROBLEMS, pageRequestOf, PageQuery, type Page } from '#platform';
import { plainContext, PublishRuleSet } from './commands.js';
import { overHttp } from './http-errors.js';
import { RuleSetPage } from './pages.js';
import { ListRuleSets } from './queries.js';
import { READERS, WRITERS } from './roles.js';
import { RuleSetView } from './views.js';

@ApiTags('accreditation')
@ApiBearerAuth()
@ApiProblems(...BEARER_PROBLEMS, 403, 404)
@Controller('missions/:missionId/rule-sets')
export class RuleSetsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

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
  ) {
    return overHttp(this.commands.execute(new PublishRuleSet({ missionId, ruleSet }, plainContext(write))));
  }

  @Get()
  @MissionRoles(...READERS)
  @ApiOperation({
    summary: "The mission's rule sets, each at its latest version",
    description: 'By id, a page at a time: pass nextCursor as cursor for the next.',
  })
  @ApiOkResponse({ type: RuleSetPage })
  async list(@Param('missionId') missionId: string, @Query() page: PageQuery): Promise<Page<RuleSetView>> {
    return this.queries.execute(new ListRuleSets(missionId, pageRequestOf(page)));
  }
}
