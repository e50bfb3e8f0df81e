/** POST /missions/:missionId/persons/:personId/erase: forget a person (crypto-shredding, DESIGN.md §6). */
import { Controller, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiIdempotencyKey, MissionRoles, Write, WriteReply, type WriteContext } from '#auth';
import { commandContextMessageOf, writeReplyOf } from '#contracts';
import { ApiProblems, BEARER_PROBLEMS } from '#platform';
import { ACCREDITATION, type Accreditation } from '../accreditation.contract.js';
import { overHttp } from '../http-errors.js';

@ApiTags('accreditation')
@ApiBearerAuth()
@ApiProblems(...BEARER_PROBLEMS, 403, 404)
@Controller('missions/:missionId/persons')
export class ErasePersonRoute {
  constructor(@Inject(ACCREDITATION) private readonly accreditation: Accreditation) {}

  @Post(':personId/erase')
  @HttpCode(200)
  @MissionRoles('secretariat')
  @ApiOperation({
    summary: 'Erase a person: their key is destroyed, the history stays whole',
    description: 'Refused (422) while one of their accreditations is in force: revoke it first.',
  })
  @ApiOkResponse({ type: WriteReply })
  @ApiProblems(409, 413, 422)
  @ApiIdempotencyKey()
  async erase(
    @Param('missionId') missionId: string,
    @Param('personId') personId: string,
    @Write() write: WriteContext,
  ): Promise<WriteReply> {
    return writeReplyOf(
      await overHttp(
        this.accreditation.erasePerson({ context: commandContextMessageOf(write, missionId), personId }),
      ),
    );
  }
}
