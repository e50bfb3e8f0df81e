/** GET /missions/:missionId/applications and /:applicationId: the applications view, by status. */
import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { CurrentPrincipal, MissionRoles, type Principal } from '#auth';
import { pageMessageOf, queryContextMessageOf } from '#contracts';
import {
  ApiProblems,
  BEARER_PROBLEMS,
  currentCorrelationId, PageQuery, pageRequestOf, type Page } from '#platform';
import { ACCREDITATION, type Accreditation } from '../accreditation.contract.js';
import type { ApplicationStatus } from '../domain/application.js';
import { READERS } from '../roles.js';
import { ApplicationPage } from './pages.js';
import { applicationViewOf, pageOf } from './application.message.js';
import { ApplicationView, STATUSES } from './views.js';

export class ApplicationsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: STATUSES }) @IsOptional() @IsIn(STATUSES) status?: ApplicationStatus;
}

@ApiTags('accreditation')
@ApiBearerAuth()
@ApiProblems(...BEARER_PROBLEMS, 403, 404)
@Controller('missions/:missionId/applications')
export class ApplicationsRoutes {
  constructor(@Inject(ACCREDITATION) private readonly accreditation: Accreditation) {}

  @Get()
  @MissionRoles(...READERS)
  @ApiOperation({
    summary: "The mission's applications, by status",
    description:
      'In the order they were submitted, a page at a time: pass nextCursor as cursor for the next.',
  })
  @ApiOkResponse({ type: ApplicationPage })
  async list(
    @Param('missionId') missionId: string,
    @Query() query: ApplicationsQuery,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Page<ApplicationView>> {
    const reply = await this.accreditation.listApplications({
      context: queryContextMessageOf(principal, currentCorrelationId() ?? ''),
      missionId,
      ...(query.status !== undefined && { status: query.status }),
      page: pageMessageOf(pageRequestOf(query)),
    });
    return pageOf(reply, applicationViewOf);
  }

  @Get(':applicationId')
  @MissionRoles(...READERS)
  @ApiOperation({ summary: 'One application, with its person (blank once erased) and its latest screening' })
  @ApiOkResponse({ type: ApplicationView })
  async get(
    @Param('missionId') missionId: string,
    @Param('applicationId') applicationId: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ApplicationView> {
    const { application } = await this.accreditation.getApplication({
      context: queryContextMessageOf(principal, currentCorrelationId() ?? ''),
      missionId,
      applicationId,
    });
    return applicationViewOf(application);
  }
}
