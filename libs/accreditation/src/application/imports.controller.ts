/** GET /missions/:missionId/imports/:jobId: how an import of applications stands (see ApplicationsController.import). */
import { Controller, Get, Param } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { MissionRoles } from '#auth';
import { ApiProblems, BEARER_PROBLEMS } from '#platform';
import type { ImportJobView } from './commands.js';
import { GetImportJob } from './queries.js';
import { ImportJobAnswer } from './requests.js';
import { WRITERS } from './roles.js';

@ApiTags('accreditation')
@ApiBearerAuth()
@ApiProblems(...BEARER_PROBLEMS, 403, 404)
@Controller('missions/:missionId/imports')
export class ImportsController {
  constructor(private readonly queries: QueryBus) {}

  @Get(':jobId')
  @MissionRoles(...WRITERS)
  @ApiOperation({
    summary: 'An import job: queued, running (rows done of the total), done with its report, or failed',
    description: "Those who may import may see the mission's jobs; another mission's job is 404.",
  })
  @ApiOkResponse({ type: ImportJobAnswer })
  async get(@Param('missionId') missionId: string, @Param('jobId') jobId: string): Promise<ImportJobView> {
    return this.queries.execute(new GetImportJob(missionId, jobId));
  }
}
