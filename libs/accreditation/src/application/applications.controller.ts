/**
 * /missions/:missionId/applications: an observer application from submission to accreditation and its
 * end, and the bulk import of applications from the CSV and XLSX lists secretariats keep.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  Body,
  Controller,
  Get,
  Injectable,
  HttpCode,
  Param,
  PayloadTooLargeException,
  Post,
  Query,
  Req,
  UnsupportedMediaTypeException,
  UploadedFile,
  UseInterceptors,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { FileInterceptor } from '@nestjs/platform-express';
import { tap, type Observable } from 'rxjs';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import {
  ApiIdempotencyKey,
  IdempotentUploads,
  MissionRoles,
  Write,
  WriteReply,
  type WriteContext,
} from '#auth';
import { ApiProblems, BEARER_PROBLEMS, pageRequestOf, type Page } from '#platform';
import type { PersonalData } from '../domain/application.js';
import {
  GrantAccreditationCommand,
  ImportApplications,
  plainContext,
  ScreenApplication,
  SubmitApplicationCommand,
  TakeApplicationStep,
  type ApplicationStep,
  type ImportFormat,
  type ImportJobView,
  type WriteResult,
} from './commands.js';
import { overHttp } from './http-errors.js';
import { GetApplication, ListApplications } from './queries.js';
import {
  AccreditationRequestBody,
  ApplicationsQuery,
  ApproveBody,
  GrantBody,
  ImportJobAnswer,
  ReasonBody,
  ScreenBody,
  SubmitApplicationBody,
} from './requests.js';
import { ApplicationPage } from './pages.js';
import { READERS, WRITERS } from './roles.js';
import { ApplicationView } from './views.js';

export const CSV_TYPE = 'text/csv';
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** A list of a few thousand observers is far below this. */
export const MAX_IMPORT_BYTES = 10 * 1024 * 1024;
/**
 * What multer reads of a multipart upload: one file, in `file`, and nothing else of any size (a text
 * field is not buffered past a kilobyte, nor a part past the few an upload has); past these, 400 at once.
 */
const UPLOAD_LIMITS = {
  fileSize: MAX_IMPORT_BYTES,
  files: 1,
  fields: 8,
  fieldSize: 1024,
  fieldNameSize: 100,
  parts: 9,
  headerPairs: 50,
};

const formatOf = (mediaType: string | undefined, fileName?: string): ImportFormat | undefined => {
  const type = (mediaType ?? '').split(';')[0].trim().toLowerCase();
  if (type === CSV_TYPE || type === 'application/csv') return 'csv';
  if (type === XLSX_TYPE) return 'xlsx';
  const name = (fileName ?? '').toLowerCase();
  if (name.endsWith('.csv')) return 'csv';
  if (name.endsWith('.xlsx')) return 'xlsx';
  return undefined;
};

/** An upload's body: the file and the multipart framing around it. */
const MAX_UPLOAD_BYTES = MAX_IMPORT_BYTES + 64 * 1024;

/**
 * A body that declares more than an upload may be is refused before a byte of it is read: multer,
 * once a limit is hit, answers only after draining the rest of the request.
 */
@Injectable()
class DeclaredUploadSize implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<IncomingMessage>();
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > MAX_UPLOAD_BYTES)
      throw new PayloadTooLargeException(
        `the upload declares ${declared} bytes; a file of at most ${MAX_IMPORT_BYTES} bytes is taken`,
      );
    return next.handle();
  }
}

/**
 * Reads the raw body of a text/csv or XLSX request (the app parses only JSON bodies itself) into
 * `request.body`, before the Idempotency-Key is checked against its bytes.
 */
@Injectable()
class RawListBody implements NestInterceptor {
  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const request = context.switchToHttp().getRequest<IncomingMessage & { body?: unknown; file?: unknown }>();
    if (request.file || !formatOf(request.headers['content-type'])) return next.handle();
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of request) {
      size += (chunk as Buffer).length;
      if (size > MAX_IMPORT_BYTES)
        throw new PayloadTooLargeException(`the file is larger than the limit of ${MAX_IMPORT_BYTES} bytes`);
      chunks.push(chunk as Buffer);
    }
    request.body = Buffer.concat(chunks);
    return next.handle();
  }
}

/**
 * The import's answer names its job in `Location`, also when the answer is replayed for the same
 * Idempotency-Key (this runs outside IdempotentUploads, so it sees both).
 */
@Injectable()
class JobLocation implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<IncomingMessage & { originalUrl?: string }>();
    const response = http.getResponse<ServerResponse>();
    return next.handle().pipe(
      tap((job) => {
        const id = (job as Partial<ImportJobView> | undefined)?.id;
        if (typeof id !== 'string') return;
        const path = (request.originalUrl ?? request.url ?? '').split('?')[0];
        response.setHeader('location', path.replace(/\/applications\/import\/?$/, `/imports/${id}`));
      }),
    );
  }
}

type UploadedList = { readonly buffer: Buffer; readonly mimetype: string; readonly originalname: string };

@ApiTags('accreditation')
@ApiBearerAuth()
@ApiProblems(...BEARER_PROBLEMS, 403, 404)
@Controller('missions/:missionId/applications')
export class ApplicationsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @HttpCode(201)
  @MissionRoles(...WRITERS)
  @ApiOperation({
    summary: 'Submit an observer application',
    description:
      'The person is sealed with a key of their own before anything is written. The application id derives ' +
      'from the mission and the identity document: the same person cannot apply twice to one mission.',
  })
  @ApiCreatedResponse({ type: WriteReply })
  @ApiProblems(409, 413, 422)
  @ApiIdempotencyKey()
  async submit(
    @Param('missionId') missionId: string,
    @Body() body: SubmitApplicationBody,
    @Write() write: WriteContext,
  ): Promise<WriteResult> {
    const person: PersonalData = JSON.parse(JSON.stringify(body.person)) as PersonalData;
    return overHttp(
      this.commands.execute(
        new SubmitApplicationCommand(
          {
            missionId,
            delegation: body.delegation,
            role: body.role,
            person: { ...person, names: { ...person.names, local: person.names.local ?? null } },
          },
          plainContext(write),
        ),
      ),
    );
  }

  @Post('import')
  @HttpCode(202)
  @MissionRoles(...WRITERS)
  @UseInterceptors(
    DeclaredUploadSize,
    FileInterceptor('file', { limits: UPLOAD_LIMITS }),
    RawListBody,
    JobLocation,
    IdempotentUploads,
  )
  @ApiOperation({
    summary: 'Import applications from a CSV or XLSX list',
    description:
      'multipart/form-data with the file in `file`, or the file as the body (text/csv or XLSX). Columns: ' +
      'given_name, family_name, local_given_name, local_family_name, local_script, date_of_birth, nationality, ' +
      'other_citizenships, document_kind, document_number, document_issuing_country, email, phone, languages, ' +
      'role, delegation, conflicts_of_interest ("none" or the questions answered yes), documents_provided. ' +
      'The file is read at once, within limits (5,000 rows, 64 columns, 500,000 cells, 16 MB per inflated ' +
      'part of a workbook): past one, 413 naming it; a file that is no list, 400. Then it answers 202 with the ' +
      'import job (Location: /missions/{missionId}/imports/{jobId}), which takes the rows in the background; ' +
      'poll it until `done` for the report per row. Importing the same file again creates nothing new. An ' +
      'Idempotency-Key is checked against the bytes of the file: the same key and file answer the same job.',
  })
  @ApiConsumes('multipart/form-data', CSV_TYPE, XLSX_TYPE)
  @ApiBody({ schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } } } })
  @ApiAcceptedResponse({
    type: ImportJobAnswer,
    description: 'the import job, queued: poll it at Location until done',
    headers: {
      Location: {
        description: 'the job: /api/v1/missions/{missionId}/imports/{jobId}',
        schema: { type: 'string' },
      },
    },
  })
  @ApiProblems(409, 413, 415)
  @ApiIdempotencyKey()
  async import(
    @Param('missionId') missionId: string,
    @UploadedFile() file: UploadedList | undefined,
    @Req() request: IncomingMessage & { body?: unknown },
    @Write() write: WriteContext,
  ): Promise<ImportJobView> {
    const format = file
      ? formatOf(file.mimetype, file.originalname)
      : formatOf(request.headers['content-type']);
    if (!format)
      throw new UnsupportedMediaTypeException(
        `send a CSV (${CSV_TYPE}) or XLSX (${XLSX_TYPE}) file, as the body or as the multipart field "file"`,
      );
    const content = file ? file.buffer : Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    return overHttp(
      this.commands.execute(
        new ImportApplications(
          { missionId, format, content: content.toString('base64') },
          plainContext(write),
        ),
      ),
    );
  }

  @Get()
  @MissionRoles(...READERS)
  @ApiOperation({
    summary: "The mission's applications, by status",
    description:
      'In the order they were submitted, a page at a time: pass nextCursor as cursor for the next.',
  })
  @ApiOkResponse({ type: ApplicationPage })
  async list(
    @Param('missionId') missionId: string,
    @Query() query: ApplicationsQuery,
  ): Promise<Page<ApplicationView>> {
    return this.queries.execute(new ListApplications(missionId, query.status, pageRequestOf(query)));
  }

  @Get(':applicationId')
  @MissionRoles(...READERS)
  @ApiOperation({ summary: 'One application, with its person (blank once erased) and its latest screening' })
  @ApiOkResponse({ type: ApplicationView })
  async get(
    @Param('missionId') missionId: string,
    @Param('applicationId') applicationId: string,
  ): Promise<ApplicationView> {
    return this.queries.execute(new GetApplication(missionId, applicationId));
  }

  @Post(':applicationId/screen')
  @HttpCode(200)
  @MissionRoles(...WRITERS)
  @ApiOperation({
    summary: 'Screen against a rule set (its latest version)',
    description: 'The result names every rule that failed; a new screening is a new event.',
  })
  @ApiOkResponse({ type: WriteReply })
  @ApiProblems(409, 413, 422)
  @ApiIdempotencyKey()
  async screen(
    @Param('missionId') missionId: string,
    @Param('applicationId') applicationId: string,
    @Body() body: ScreenBody,
    @Write() write: WriteContext,
  ): Promise<WriteResult> {
    return overHttp(
      this.commands.execute(
        new ScreenApplication({ missionId, applicationId, ruleSetId: body.ruleSetId }, plainContext(write)),
      ),
    );
  }

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
    return this.step(
      missionId,
      applicationId,
      { type: 'ApproveApplication', ...(body.reason && { reason: body.reason }) },
      write,
    );
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
    return this.step(missionId, applicationId, { type: 'RejectApplication', reason: body.reason }, write);
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
    return this.step(
      missionId,
      applicationId,
      { type: 'RequestAccreditation', hostBody: body.hostBody },
      write,
    );
  }

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
  ): Promise<WriteResult> {
    return overHttp(
      this.commands.execute(
        new GrantAccreditationCommand(
          {
            missionId,
            applicationId,
            badgeNumber: body.badgeNumber,
            validFrom: body.validFrom,
            validTo: body.validTo,
            conditions: body.conditions ?? [],
          },
          plainContext(write),
        ),
      ),
    );
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
    return this.step(missionId, applicationId, { type: 'RefuseAccreditation', reason: body.reason }, write);
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
    return this.step(missionId, applicationId, { type: 'SuspendAccreditation', reason: body.reason }, write);
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
    return this.step(missionId, applicationId, { type: 'ReinstateAccreditation' }, write);
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
    return this.step(missionId, applicationId, { type: 'RevokeAccreditation', reason: body.reason }, write);
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
    return this.step(missionId, applicationId, { type: 'ExpireAccreditation' }, write);
  }

  private step(
    missionId: string,
    applicationId: string,
    step: ApplicationStep,
    write: WriteContext,
  ): Promise<WriteResult> {
    return overHttp(
      this.commands.execute(new TakeApplicationStep({ missionId, applicationId, step }, plainContext(write))),
    );
  }
}
