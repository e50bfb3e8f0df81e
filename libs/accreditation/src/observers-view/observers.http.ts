/** Who is accredited: observers by delegation, role and language; a badge by its number. */
import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { CurrentPrincipal, MissionRoles, type Principal } from '#auth';
import { pageMessageOf, queryContextMessageOf } from '#contracts';
import {
  ApiProblems,
  BEARER_PROBLEMS,
  currentCorrelationId, PageQuery, pageRequestOf, type Page } from '#platform';
import { ACCREDITATION, type Accreditation } from '../accreditation.contract.js';
import { applicationViewOf, pageOf } from '../applications-view/application.message.js';
import { ObserverPage } from '../applications-view/pages.js';
import { ApplicationView } from '../applications-view/views.js';
import { ROLES, type ObserverRole } from '../domain/application.js';
import { READERS } from '../roles.js';

const COUNTRY = /^[A-Z]{2}$/;
const LANGUAGE = /^[a-z]{2}$/;

export class ObserversQuery extends PageQuery {
  @ApiPropertyOptional({ example: 'DE' })
  @IsOptional()
  @Matches(COUNTRY, { message: 'delegation must be an ISO 3166 alpha-2 code' })
  delegation?: string;
  @ApiPropertyOptional({ enum: ROLES }) @IsOptional() @IsIn(ROLES) role?: ObserverRole;
  @ApiPropertyOptional({ example: 'ru' })
  @IsOptional()
  @Matches(LANGUAGE, { message: 'language must be an ISO 639-1 code' })
  language?: string;
}

@ApiTags('accreditation')
@ApiBearerAuth()
@ApiProblems(...BEARER_PROBLEMS, 403, 404)
@Controller('missions/:missionId')
export class ObserversRoutes {
  constructor(@Inject(ACCREDITATION) private readonly accreditation: Accreditation) {}

  @Get('observers')
  @MissionRoles(...READERS)
  @ApiOperation({
    summary: 'Accredited observers (badge granted or suspended), by delegation, role, language',
    description: 'By family name, a page at a time: pass nextCursor as cursor for the next.',
  })
  @ApiOkResponse({ type: ObserverPage })
  async observers(
    @Param('missionId') missionId: string,
    @Query() query: ObserversQuery,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Page<ApplicationView>> {
    const { delegation, role, language } = query;
    const reply = await this.accreditation.listObservers({
      context: queryContextMessageOf(principal, currentCorrelationId() ?? ''),
      missionId,
      ...(delegation !== undefined && { delegation }),
      ...(role !== undefined && { role }),
      ...(language !== undefined && { language }),
      page: pageMessageOf(pageRequestOf(query)),
    });
    return pageOf(reply, applicationViewOf);
  }

  @Get('badges/:badgeNumber')
  @MissionRoles(...READERS)
  @ApiOperation({ summary: 'Whose badge this is, and whether it is in force' })
  @ApiOkResponse({ type: ApplicationView })
  async badge(
    @Param('missionId') missionId: string,
    @Param('badgeNumber') badgeNumber: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ApplicationView> {
    const { application } = await this.accreditation.findBadge({
      context: queryContextMessageOf(principal, currentCorrelationId() ?? ''),
      missionId,
      badgeNumber,
    });
    return applicationViewOf(application);
  }
}
