/**
 * POST /missions/:missionId/applications/import: a CSV or XLSX list of applications, as multipart or as
 * the body, read within limits and handed to an import job (polled at /missions/:missionId/imports/:jobId).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  BadRequestException,
  Controller,
  HttpCode,
  Inject,
  Injectable,
  Param,
  PayloadTooLargeException,
  Post,
  Req,
  UnsupportedMediaTypeException,
  UploadedFile,
  UseInterceptors,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { tap, type Observable } from 'rxjs';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ApiIdempotencyKey, IdempotentUploads, MissionRoles, Write, type WriteContext } from '#auth';
import { commandContextMessageOf } from '#contracts';
import { ApiProblems, BEARER_PROBLEMS, ValidationFailed } from '#platform';
import { ACCREDITATION, type Accreditation } from '../accreditation.contract.js';
import { overHttp } from '../http-errors.js';
import { WRITERS } from '../roles.js';
import type { ImportFormat, ImportJobView } from './import-applications.js';
import { importJobViewOf } from './import-job.message.js';
import { readRoster, unstorableCells } from './roster.js';
import { RosterTooLarge, UnreadableRoster } from './roster-limits.js';
import { ImportJobAnswer } from './import-jobs.http.js';

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

/**
 * The file is read here, at the edge, within the roster's limits: a file that is no list (400), that goes
 * past a limit (413) or holds what storage cannot (400) is refused before it crosses to the context, which
 * reads the same bytes again for its job.
 */
const readable = async (format: ImportFormat, content: Buffer): Promise<void> => {
  try {
    const unstorable = unstorableCells(await readRoster(format, content));
    if (unstorable.length > 0) throw new ValidationFailed(unstorable);
  } catch (error) {
    if (error instanceof UnreadableRoster) throw new BadRequestException(error.message);
    if (error instanceof RosterTooLarge) throw new PayloadTooLargeException(error.message);
    throw error;
  }
};

type UploadedList = { readonly buffer: Buffer; readonly mimetype: string; readonly originalname: string };

@ApiTags('accreditation')
@ApiBearerAuth()
@ApiProblems(...BEARER_PROBLEMS, 403, 404)
@Controller('missions/:missionId/applications')
export class ImportApplicationsRoute {
  constructor(@Inject(ACCREDITATION) private readonly accreditation: Accreditation) {}

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
    await readable(format, content);
    const { job } = await overHttp(
      this.accreditation.importApplications({
        context: commandContextMessageOf(write, missionId),
        format,
        content,
      }),
    );
    return importJobViewOf(job);
  }
}
