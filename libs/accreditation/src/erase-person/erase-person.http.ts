/** POST /missions/:missionId/persons/:personId/erase: forget a person (crypto-shredding, DESIGN.md §6). */
import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiIdempotencyKey, MissionRoles, Write, WriteReply, type WriteContext } from '#auth';
import { ApiProblems, BEARER_PROBLEMS } from '#platform';
import { overHttp } from '../http-errors.js';
import { plainContext } from '../write-result.js';
import { ErasePersonCommand } from './erase-person.transport.js';

@ApiTags('accreditation')
@ApiBearerAuth()
@ApiProblems(...BEARER_PROBLEMS, 403, 404)
@Controller('missions/:missionId/persons')
export class ErasePersonRoute {
  constructor(private readonly commands: CommandBus) {}

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
  ) {
    return overHttp(
      this.commands.execute(new ErasePersonCommand({ missionId, personId }, plainContext(write))),
    );
  }
}
