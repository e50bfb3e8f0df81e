/** DELETE /api/v1/missions/{missionId}/staff/{userId}/roles/{role}: the secretariat withdraws a role. */
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
export class WithdrawStaffRoleRoute {
  constructor(@Inject(MISSIONS) private readonly missions: Missions) {}

  @Delete(':missionId/staff/:userId/roles/:role')
  @MissionRoles('secretariat')
  @ApiIdempotencyKey()
  @ApiOperation({ summary: "Withdraw a staff member's role" })
  @ApiOkResponse({ type: WriteReply })
  @ApiProblems(403, 404, 409, 413, 422)
  async withdrawRole(
    @MissionId() missionId: string,
    @Param('userId') userId: string,
    @Param('role') role: string,
    @Write() write: WriteContext,
  ): Promise<WriteReply> {
    const written = await this.missions.withdrawStaffRole({
      context: commandContextMessageOf(write, missionId),
      userId,
      role,
    });
    return writeReplyOf(written);
  }
}
