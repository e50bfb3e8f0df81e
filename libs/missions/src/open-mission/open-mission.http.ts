/** POST /api/v1/missions: the platform administrator opens a mission. */
import { Body, Controller, Inject, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsIn, IsInt, IsNotEmpty, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { ApiIdempotencyKey, PlatformAdmin, Write, WriteReply, type WriteContext } from '#auth';
import { commandContextMessageOf, writeReplyOf } from '#contracts';
import { ApiProblems, BEARER_PROBLEMS, IsCalendarDate, NestedObject } from '#platform';
import { ELECTION_KINDS, type ElectionKind } from '../domain/mission.js';
import { MISSIONS, type Missions } from '../missions.contract.js';

/** ISO 3166-1 alpha-2, as the routes accept it (the decider upper-cases it). */
export const ALPHA_2 = /^[A-Za-z]{2}$/;

export class ElectionRequest {
  @ApiProperty({ enum: ELECTION_KINDS })
  @IsIn([...ELECTION_KINDS])
  readonly kind!: ElectionKind;

  @ApiProperty({ example: '2023-11-30', description: 'election day (first round), YYYY-MM-DD' })
  @IsCalendarDate()
  readonly date!: string;

  @ApiProperty({ minimum: 1, maximum: 10, example: 1 })
  @IsInt()
  @Min(1)
  @Max(10)
  readonly rounds!: number;
}

export class OpenMissionRequest {
  @ApiProperty({ example: 'International Election Observation Mission, Kyrgyz Republic 2023' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(300)
  readonly name!: string;

  @ApiProperty({ example: 'CIS Interparliamentary Assembly' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(300)
  readonly organisation!: string;

  @ApiProperty({ example: 'KG', description: 'ISO 3166-1 alpha-2' })
  @IsString()
  @Matches(ALPHA_2, { message: 'hostCountry must be an ISO 3166-1 alpha-2 code, e.g. KG' })
  readonly hostCountry!: string;

  @ApiProperty({ type: ElectionRequest })
  @NestedObject(() => ElectionRequest)
  readonly election!: ElectionRequest;
}

@ApiTags('missions')
@ApiBearerAuth()
@ApiProblems(...BEARER_PROBLEMS)
@Controller('missions')
export class OpenMissionRoute {
  constructor(@Inject(MISSIONS) private readonly missions: Missions) {}

  @Post()
  @PlatformAdmin()
  @ApiIdempotencyKey()
  @ApiOperation({ summary: 'Open a mission for an election (platform administrator)' })
  @ApiCreatedResponse({ type: WriteReply })
  @ApiProblems(403, 409, 413, 422)
  async open(@Body() body: OpenMissionRequest, @Write() write: WriteContext): Promise<WriteReply> {
    const { kind, date, rounds } = body.election;
    const written = await this.missions.openMission({
      context: commandContextMessageOf(write, write.newId('mission')),
      name: body.name,
      organisation: body.organisation,
      hostCountry: body.hostCountry,
      election: { kind, date, rounds },
    });
    return writeReplyOf(written);
  }
}
