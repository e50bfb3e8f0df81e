/** POST /missions/:missionId/applications/:applicationId/grant: the accreditation the host body granted, with its badge. */
import { Body, Controller, HttpCode, Inject, Param, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsISO8601, IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { ApiIdempotencyKey, MissionRoles, Write, WriteReply, type WriteContext } from '#auth';
import { commandContextMessageOf, writeReplyOf } from '#contracts';
import { ApiProblems, BEARER_PROBLEMS } from '#platform';
import { ACCREDITATION, type Accreditation } from '../accreditation.contract.js';
import { overHttp } from '../http-errors.js';
import { WRITERS } from '../roles.js';

export class GrantBody {
  @ApiProperty({ example: 'KG-LTO-0001' }) @IsString() @Length(1, 100) badgeNumber!: string;
  // ISO 8601 allows any number of fractional digits; nobody needs more than nanoseconds.
  @ApiProperty({ example: '2023-11-01T00:00:00Z' })
  @IsISO8601({ strict: true })
  @MaxLength(40)
  validFrom!: string;
  @ApiProperty({ example: '2023-12-15T00:00:00Z' })
  @IsISO8601({ strict: true })
  @MaxLength(40)
  validTo!: string;
  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @Length(1, 1000, { each: true })
  conditions?: string[];
}

@ApiTags('accreditation')
@ApiBearerAuth()
@ApiProblems(...BEARER_PROBLEMS, 403, 404)
@Controller('missions/:missionId/applications')
export class GrantAccreditationRoute {
  constructor(@Inject(ACCREDITATION) private readonly accreditation: Accreditation) {}

  @Post(':applicationId/grant')
  @HttpCode(200)
  @MissionRoles(...WRITERS)
  @ApiOperation({
    summary: 'Record the accreditation the host body granted',
    description: 'Badge numbers are unique in a mission: a number another observer holds is refused (409).',
  })
  @ApiOkResponse({ type: WriteReply })
  @ApiProblems(409, 413, 422)
  @ApiIdempotencyKey()
  async grant(
    @Param('missionId') missionId: string,
    @Param('applicationId') applicationId: string,
    @Body() body: GrantBody,
    @Write() write: WriteContext,
  ): Promise<WriteReply> {
    const written = await overHttp(
      this.accreditation.grantAccreditation({
      context: commandContextMessageOf(write, missionId),
      applicationId,
      badgeNumber: body.badgeNumber,
      validFrom: body.validFrom,
      validTo: body.validTo,
      conditions: body.conditions ?? [],
      }),
    );
    return writeReplyOf(written);
  }
}
