/** GET /missions/:missionId/applications and /:applicationId: the applications view, by status. */
import { Controller, Get, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { MissionRoles } from '#auth';
import { ApiProblems, BEARER_PROBLEMS, PageQuery, pageRequestOf, type Page } from '#platform';
import type { ApplicationStatus } from '../domain/application.js';
import { READERS } from '../roles.js';
import { ApplicationPage } from './pages.js';
import { GetApplication, ListApplications } from './queries.js';
import { ApplicationView, STATUSES } from './views.js';

export class ApplicationsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: STATUSES }) @IsOptional() @IsIn(STATUSES) status?: ApplicationStatus;
}

@ApiTags('accreditation')
@ApiBearerAuth()
@ApiProblems(...BEARER_PROBLEMS, 403, 404)
@Controller('missions/:missionId/applications')
export class ApplicationsRoutes {
  constructor(private readonly queries: QueryBus) {}

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
  ): Promise<Page<ApplicationView>> {
    return this.queries.execute(new ListApplications(missionId, query.status, pageRequestOf(query)));
  }

  @Get(':applicationId')
  @MissionRoles(...READERS)
  @ApiOperation({ summary: 'One application, with its person (blank once erased) and its latest screening' })
  @ApiOkResponse({ type: ApplicationView })
  async get(
    @Param('missionId') missionId: string,
    @Param('applicationId') applicationId: string,
  ): Promise<ApplicationView> {
    return this.queries.execute(new GetApplication(missionId, applicationId));
  }
}
