/** GET /missions/:missionId/imports/:jobId: how an import of applications stands (see import-applications.http.ts). */
import { Controller, Get, Inject, Param } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentPrincipal, MissionRoles, type Principal } from '#auth';
import { queryContextMessageOf } from '#contracts';
import { ApiProblems, BEARER_PROBLEMS, currentCorrelationId } from '#platform';
import { ACCREDITATION, type Accreditation } from '../accreditation.contract.js';
import { WRITERS } from '../roles.js';
import type { ImportJobView } from './import-applications.js';
import { importJobViewOf } from './import-job.message.js';

/** A field of a row that was refused, and why. */
export class ImportRowError {
  @ApiProperty({ example: 'nationality' }) field!: string;
  @ApiProperty({ example: 'nationality must be an ISO 3166 alpha-2 code' }) message!: string;
}

/** The report of an import: a line per row of the file. */
export class ImportRowAnswer {
  @ApiProperty({
    type: 'integer',
    example: 2,
    description: "the row's number in the sheet: the header is row 1",
  })
  row!: number;
  @ApiProperty({ enum: ['created', 'unchanged', 'refused'] }) status!: string;
  @ApiPropertyOptional({ description: 'the application the row made or found (not when refused)' })
  applicationId?: string;
  @ApiProperty({ type: [ImportRowError] }) errors!: ImportRowError[];
}
export class ImportAnswer {
  @ApiProperty({ type: 'integer' }) created!: number;
  @ApiProperty({ type: 'integer' }) unchanged!: number;
  @ApiProperty({ type: 'integer' }) refused!: number;
  @ApiProperty({ type: [ImportRowAnswer] }) rows!: ImportRowAnswer[];
}

export class ImportProgress {
  @ApiProperty({ type: 'integer', description: 'rows of the file done' }) done!: number;
  @ApiProperty({ type: 'integer', description: 'all the rows of the file' }) total!: number;
}

/** An import job: its state, its progress, and its report once done. */
export class ImportJobAnswer {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) missionId!: string;
  @ApiProperty({ enum: ['queued', 'running', 'done', 'failed'] }) state!: string;
  @ApiProperty({ type: ImportProgress }) progress!: ImportProgress;
  @ApiProperty({ type: ImportAnswer, nullable: true, description: 'once done; null before' })
  report!: ImportAnswer | null;
  @ApiProperty({ type: 'string', nullable: true, description: 'once failed: why; null otherwise' })
  reason!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

@ApiTags('accreditation')
@ApiBearerAuth()
@ApiProblems(...BEARER_PROBLEMS, 403, 404)
@Controller('missions/:missionId/imports')
export class ImportJobsRoute {
  constructor(@Inject(ACCREDITATION) private readonly accreditation: Accreditation) {}

  @Get(':jobId')
  @MissionRoles(...WRITERS)
  @ApiOperation({
    summary: 'An import job: queued, running (rows done of the total), done with its report, or failed',
    description: "Those who may import may see the mission's jobs; another mission's job is 404.",
  })
  @ApiOkResponse({ type: ImportJobAnswer })
  async get(
    @Param('missionId') missionId: string,
    @Param('jobId') jobId: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ImportJobView> {
    const { job } = await this.accreditation.getImportJob({
      context: queryContextMessageOf(principal, currentCorrelationId() ?? ''),
      missionId,
      jobId,
    });
    return importJobViewOf(job);
  }
}
