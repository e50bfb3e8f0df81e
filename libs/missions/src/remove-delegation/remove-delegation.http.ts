/** DELETE /api/v1/missions/{missionId}/delegations/{country}: the secretariat removes a delegation. */
import { Controller, Delete, Inject, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiIdempotencyKey, MissionRoles, Write, WriteReply, type WriteContext } from '#auth';
import { commandContextMessageOf, writeReplyOf } from '#contracts';
import { ApiProblems, BEARER_PROBLEMS } from '#platform';
import { MISSIONS, type Missions } from '../missions.contract.js';
import { MissionId } from '../missions-view/missions-view.http.js';

@ApiTags('missions')
@ApiBearerAuth()
@ApiProblems(...BEARER_PROBLEMS)
@Controller('missions')
export class RemoveDelegationRoute {
  constructor(@Inject(MISSIONS) private readonly missions: Missions) {}

  @Delete(':missionId/delegations/:country')
  @MissionRoles('secretariat')
  @ApiIdempotencyKey()
  @ApiOperation({ summary: 'Remove a delegation' })
  @ApiOkResponse({ type: WriteReply })
  @ApiProblems(403, 404, 409, 413, 422)
  async removeDelegation(
    @MissionId() missionId: string,
    @Param('country') country: string,
    @Write() write: WriteContext,
  ): Promise<WriteReply> {
    const written = await this.missions.removeDelegation({
      context: commandContextMessageOf(write, missionId),
      country,
    });
    return writeReplyOf(written);
  }
}
