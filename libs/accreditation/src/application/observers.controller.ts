/** Who is accredited: observers by delegation, role and language; a badge by its number. */
import { Controller, Get, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { MissionRoles } from '#auth';
import { ApiProblems, BEARER_PROBLEMS, pageRequestOf, type Page } from '#platform';
import { FindBadge, ListObservers } from './queries.js';
import { ObserverPage } from './pages.js';
import { ObserversQuery } from './requests.js';
import { READERS } from './roles.js';
import { ApplicationView } from './views.js';

@ApiTags('accreditation')
@ApiBearerAuth()
@ApiProblems(...BEARER_PROBLEMS, 403, 404)
@Controller('missions/:missionId')
export class ObserversController {
  constructor(private readonly queries: QueryBus) {}

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
  ): Promise<Page<ApplicationView>> {
    const { delegation, role, language } = query;
    return this.queries.execute(
      new ListObservers(
        missionId,
        {
          ...(delegation !== undefined && { delegation }),
          ...(role !== undefined && { role }),
          ...(language !== undefined && { language }),
        },
        pageRequestOf(query),
      ),
    );
  }

  @Get('badges/:badgeNumber')
  @MissionRoles(...READERS)
  @ApiOperation({ summary: 'Whose badge this is, and whether it is in force' })
  @ApiOkResponse({ type: ApplicationView })
  async badge(
    @Param('missionId') missionId: string,
    @Param('badgeNumber') badgeNumber: string,
  ): Promise<ApplicationView> {
    return this.queries.execute(new FindBadge(missionId, badgeNumber));
  }
}
