/** GET /missions/:missionId/rule-sets: the mission's rule sets, each at its latest version. */
import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, MissionRoles, type Principal } from '#auth';
import { pageMessageOf, queryContextMessageOf } from '#contracts';
import {
  ApiProblems,
  BEARER_PROBLEMS,
  currentCorrelationId, pageRequestOf, PageQuery, type Page } from '#platform';
import { ACCREDITATION, type Accreditation } from '../accreditation.contract.js';
import { pageOf } from '../applications-view/application.message.js';
import { RuleSetPage } from '../applications-view/pages.js';
import { RuleSetView } from '../applications-view/views.js';
import { READERS } from '../roles.js';

@ApiTags('accreditation')
@ApiBearerAuth()
@ApiProblems(...BEARER_PROBLEMS, 403, 404)
@Controller('missions/:missionId/rule-sets')
export class RuleSetsRoutes {
  constructor(@Inject(ACCREDITATION) private readonly accreditation: Accreditation) {}

  @Get()
  @MissionRoles(...READERS)
  @ApiOperation({
    summary: "The mission's rule sets, each at its latest version",
    description: 'By id, a page at a time: pass nextCursor as cursor for the next.',
  })
  @ApiOkResponse({ type: RuleSetPage })
  async list(
    @Param('missionId') missionId: string,
    @Query() page: PageQuery,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Page<RuleSetView>> {
    const reply = await this.accreditation.listRuleSets({
      context: queryContextMessageOf(principal, currentCorrelationId() ?? ''),
      missionId,
      page: pageMessageOf(pageRequestOf(page)),
    });
    // Each rule set is the document the context validated when it was published.
    return pageOf({ ...reply, items: reply.ruleSetsJson }, (json: string) => JSON.parse(json) as RuleSetView);
  }
}
