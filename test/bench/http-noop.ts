/**
 * The no-op contender of the http suite: a route on the very same HTTP stack as the real submission
 * (createHttpApp: correlation id, request log, JSON body parser, global validation pipe, problem filter,
 * and the global auth guard with the same @MissionRoles check, hence the same mission-roles lookup),
 * validating the same SubmitApplicationBody DTO and answering 201 with a body shaped like WriteReply —
 * but no command, no encryption, no event store. Bench-only: imported next to AppModule by http.ts.
 */
import { Body, Controller, HttpCode, Module, Param, Post } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { MissionRoles, Write, type WriteContext } from '#auth';
import { SubmitApplicationBody } from '../../libs/accreditation/src/submit-application/submit-application.http.js';
import { WRITERS } from '../../libs/accreditation/src/roles.js';

/** Where the no-op answers: `POST /api/v1/bench/missions/:missionId/noop` (the global prefix adds api/v1). */
export const NOOP_ROUTE = 'bench/missions/:missionId/noop';

@ApiExcludeController()
@Controller(NOOP_ROUTE)
export class BenchNoopController {
  @Post()
  @HttpCode(201)
  @MissionRoles(...WRITERS)
  submit(
    @Param('missionId') _missionId: string,
    @Body() body: SubmitApplicationBody,
    @Write() write: WriteContext,
  ): { id: string; streamVersion: string; eventIds: string[]; appended: boolean } {
    if (body.person.identityDocument.number.length === 0) throw new Error('unreachable: validated');
    return {
      id: write.newId('application'),
      streamVersion: '0',
      eventIds: [write.commandId],
      appended: true,
    };
  }
}

@Module({ controllers: [BenchNoopController] })
export class BenchNoopModule {}
