/** GET /missions/:missionId/rule-sets: the mission's rule sets, each at its latest version. */
import { Controller, Get, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { MissionRoles } from '#auth';
import { ApiProblems, BEARER_PROBLEMS, pageRequestOf, PageQuery, type Page } from '#platform';
import { RuleSetPage } from '../applications-view/pages.js';
import { RuleSetView } from '../applications-view/views.js';
import { READERS } from '../roles.js';
import { ListRuleSets } from './queries.js';

@ApiTags('accreditation')
@ApiBearerAuth()
@ApiProblems(...BEARER_PROBLEMS, 403, 404)
@Controller('missions/:missionId/rule-sets')
export class RuleSetsRoutes {
  constructor(private readonly queries: QueryBus) {}

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
