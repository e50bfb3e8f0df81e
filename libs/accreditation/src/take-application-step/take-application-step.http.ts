/**
 * The routes of the steps that need nothing but what they say: approve, reject, the request to the
 * host body, its refusal, suspend, reinstate, revoke, expire. Each is its own rpc, one use case
 * (take-application-step.ts).
 */
import { Body, Controller, HttpCode, Inject, Param, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { IsOptional, IsString, Length } from 'class-validator';
import { ApiIdempotencyKey, MissionRoles, Write, WriteReply, type WriteContext } from '#auth';
import { commandContextMessageOf, writeReplyOf, type WriteReceipt } from '#contracts';
import { ApiProblems, BEARER_PROBLEMS } from '#platform';
import { ACCREDITATION, type Accreditation } from '../accreditation.contract.js';
import { overHttp } from '../http-errors.js';
import { WRITERS } from '../roles.js';

export class ApproveBody {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(0, 2000) reason?: string;
}

export class ReasonBody {
  @ApiProperty() @IsString() @Length(1, 2000) reason!: string;
}

export class AccreditationRequestBody {
  @ApiProperty({ example: 'Central Election Commission of the Kyrgyz Republic' })
  @IsString()
  @Length(1, 500)
  hostBody!: string;
}

@ApiTags('accreditation')
@ApiBearerAuth()
@ApiProblems(...BEARER_PROBLEMS, 403, 404)
@Controller('missions/:missionId/applications')
export class TakeApplicationStepRoutes {
  constructor(@Inject(ACCREDITATION) private readonly accreditation: Accreditation) {}

  @Post(':applicationId/approve')
  @HttpCode(200)
  @MissionRoles(...WRITERS)
  @ApiOperation({ summary: 'Approve an application that passed screening' })
  @ApiOkResponse({ type: WriteReply })
  @ApiProblems(409, 413, 422)
  @ApiIdempotencyKey()
  async approve(
    @Param('missionId') missionId: string,
    @Param('applicationId') applicationId: string,
    @Body() body: ApproveBody,
    @Write() write: WriteContext,
  ) {
    return this.written(this.accreditation.approveApplication({ context: commandContextMessageOf(write, missionId), applicationId, ...(body.reason && { reason: body.reason }) }));
  }

  @Post(':applicationId/reject')
  @HttpCode(200)
  @MissionRoles(...WRITERS)
  @ApiOperation({ summary: 'Reject an application, with a reason' })
  @ApiOkResponse({ type: WriteReply })
  @ApiProblems(409, 413, 422)
  @ApiIdempotencyKey()
  async reject(
    @Param('missionId') missionId: string,
    @Param('applicationId') applicationId: string,
    @Body() body: ReasonBody,
    @Write() write: WriteContext,
  ) {
    return this.written(this.accreditation.rejectApplication({ context: commandContextMessageOf(write, missionId), applicationId, reason: body.reason }));
  }

  @Post(':applicationId/accreditation-request')
  @HttpCode(200)
  @MissionRoles(...WRITERS)
  @ApiOperation({ summary: 'Record the request to the host election body' })
  @ApiOkResponse({ type: WriteReply })
  @ApiProblems(409, 413, 422)
  @ApiIdempotencyKey()
  async request(
    @Param('missionId') missionId: string,
    @Param('applicationId') applicationId: string,
    @Body() body: AccreditationRequestBody,
    @Write() write: WriteContext,
  ) {
    return this.written(this.accreditation.requestAccreditation({ context: commandContextMessageOf(write, missionId), applicationId, hostBody: body.hostBody }));
  }

  @Post(':applicationId/refuse')
  @HttpCode(200)
  @MissionRoles(...WRITERS)
  @ApiOperation({ summary: 'Record that the host body refused accreditation' })
  @ApiOkResponse({ type: WriteReply })
  @ApiProblems(409, 413, 422)
  @ApiIdempotencyKey()
  async refuse(
    @Param('missionId') missionId: string,
    @Param('applicationId') applicationId: string,
    @Body() body: ReasonBody,
    @Write() write: WriteContext,
  ) {
    return this.written(this.accreditation.refuseAccreditation({ context: commandContextMessageOf(write, missionId), applicationId, reason: body.reason }));
  }

  @Post(':applicationId/suspend')
  @HttpCode(200)
  @MissionRoles(...WRITERS)
  @ApiOperation({ summary: 'Suspend an accreditation in force' })
  @ApiOkResponse({ type: WriteReply })
  @ApiProblems(409, 413, 422)
  @ApiIdempotencyKey()
  async suspend(
    @Param('missionId') missionId: string,
    @Param('applicationId') applicationId: string,
    @Body() body: ReasonBody,
    @Write() write: WriteContext,
  ) {
    return this.written(this.accreditation.suspendAccreditation({ context: commandContextMessageOf(write, missionId), applicationId, reason: body.reason }));
  }

  @Post(':applicationId/reinstate')
  @HttpCode(200)
  @MissionRoles(...WRITERS)
  @ApiOperation({ summary: 'Reinstate a suspended accreditation while its badge is valid' })
  @ApiOkResponse({ type: WriteReply })
  @ApiProblems(409, 413, 422)
  @ApiIdempotencyKey()
  async reinstate(
    @Param('missionId') missionId: string,
    @Param('applicationId') applicationId: string,
    @Write() write: WriteContext,
  ) {
    return this.written(this.accreditation.reinstateAccreditation({ context: commandContextMessageOf(write, missionId), applicationId }));
  }

  @Post(':applicationId/revoke')
  @HttpCode(200)
  @MissionRoles(...WRITERS)
  @ApiOperation({ summary: 'Revoke an accreditation, with a reason' })
  @ApiOkResponse({ type: WriteReply })
  @ApiProblems(409, 413, 422)
  @ApiIdempotencyKey()
  async revoke(
    @Param('missionId') missionId: string,
    @Param('applicationId') applicationId: string,
    @Body() body: ReasonBody,
    @Write() write: WriteContext,
  ) {
    return this.written(this.accreditation.revokeAccreditation({ context: commandContextMessageOf(write, missionId), applicationId, reason: body.reason }));
  }

  @Post(':applicationId/expire')
  @HttpCode(200)
  @MissionRoles(...WRITERS)
  @ApiOperation({ summary: 'Record that an accreditation expired (its badge is past validTo)' })
  @ApiOkResponse({ type: WriteReply })
  @ApiProblems(409, 413, 422)
  @ApiIdempotencyKey()
  async expire(
    @Param('missionId') missionId: string,
    @Param('applicationId') applicationId: string,
    @Write() write: WriteContext,
  ) {
    return this.written(this.accreditation.expireAccreditation({ context: commandContextMessageOf(write, missionId), applicationId }));
  }

  private async written(write: Promise<WriteReceipt>): Promise<WriteReply> {
    return writeReplyOf(await overHttp(write));
  }
}
