/**
 * POST /missions/:missionId/applications: an observer application, its person sealed before anything
 * is written. The request body (the person's fields checked at the edge) is here too.
 */
import { Body, Controller, HttpCode, Inject, Param, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ApiIdempotencyKey, MissionRoles, Write, WriteReply, type WriteContext } from '#auth';
import { commandContextMessageOf, writeReplyOf } from '#contracts';
import { ApiProblems, BEARER_PROBLEMS, IsCalendarDate, NestedObject } from '#platform';
import {
  ArrayMaxSize,
  buildMessage,
  IsArray,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  ValidateBy,
  ValidateNested,
} from 'class-validator';
import { ROLES, type ObserverRole, type PersonalData } from '../domain/application.js';
import { CONFLICT_OF_INTEREST_QUESTIONS, DOCUMENT_KINDS, type DocumentKind } from '../domain/eligibility.js';
import { ACCREDITATION, type Accreditation } from '../accreditation.contract.js';
import { overHttp } from '../http-errors.js';
import { WRITERS } from '../roles.js';
import { personMessageOf } from './person.message.js';

const COUNTRY = /^[A-Z]{2}$/;
const LANGUAGE = /^[a-z]{2}$/;

/** The longest text each field of a person takes; an imported row is held to the same (roster-row.ts). */
export const PERSON_TEXT_LIMITS = {
  name: 200,
  documentNumber: 50,
  contact: 320,
} as const;

/** Only the known questions, each answered true or false: nothing else rides along into the sealed person. */
const IsConflictAnswers = (): PropertyDecorator =>
  ValidateBy({
    name: 'isConflictAnswers',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'object' &&
        value !== null &&
        !Array.isArray(value) &&
        Object.entries(value).every(
          ([question, answer]) =>
            (CONFLICT_OF_INTEREST_QUESTIONS as readonly string[]).includes(question) &&
            typeof answer === 'boolean',
        ),
      defaultMessage: buildMessage(
        () =>
          `$property must answer known questions (${CONFLICT_OF_INTEREST_QUESTIONS.join(', ')}) with true or false`,
      ),
    },
  });

export class PersonNameBody {
  @ApiProperty({ example: 'Anna' }) @IsString() @Length(1, PERSON_TEXT_LIMITS.name) given!: string;
  @ApiProperty({ example: 'Schmidt' }) @IsString() @Length(1, PERSON_TEXT_LIMITS.name) family!: string;
}

export class LocalNameBody extends PersonNameBody {
  @ApiProperty({ description: 'ISO 15924 script code', example: 'Cyrl' })
  @Matches(/^[A-Z][a-z]{3}$/, { message: 'script must be an ISO 15924 code such as Cyrl' })
  script!: string;
}

export class NamesBody {
  @ApiProperty({ type: PersonNameBody }) @NestedObject(() => PersonNameBody) latin!: PersonNameBody;
  @ApiPropertyOptional({ type: LocalNameBody, nullable: true })
  @IsOptional()
  @NestedObject(() => LocalNameBody)
  local!: LocalNameBody | null;
}

export class IdentityDocumentBody {
  @ApiProperty({ enum: ['passport', 'national-id'] }) @IsIn(['passport', 'national-id']) kind!:
    'passport' | 'national-id';
  @ApiProperty({ example: 'C01X00T47' })
  @IsString()
  @Length(1, PERSON_TEXT_LIMITS.documentNumber)
  number!: string;
  @ApiProperty({ example: 'DE' })
  @Matches(COUNTRY, { message: 'issuingCountry must be an ISO 3166 alpha-2 code' })
  issuingCountry!: string;
}

export class ContactBody {
  @ApiProperty({ enum: ['email', 'phone', 'messenger'] }) @IsIn(['email', 'phone', 'messenger']) kind!:
    'email' | 'phone' | 'messenger';
  @ApiProperty() @IsString() @Length(1, PERSON_TEXT_LIMITS.contact) value!: string;
}

export class DeclarationsBody {
  @ApiProperty({
    description: 'every conflict-of-interest question answered true or false',
    type: 'object',
    additionalProperties: { type: 'boolean' },
  })
  @IsConflictAnswers()
  conflictsOfInterest!: Record<string, boolean>;
  @ApiProperty({ enum: DOCUMENT_KINDS, isArray: true })
  @IsArray()
  @ArrayMaxSize(DOCUMENT_KINDS.length)
  @IsIn(DOCUMENT_KINDS, { each: true })
  documentsProvided!: DocumentKind[];
}

export class PersonBody {
  @ApiProperty({ type: NamesBody }) @NestedObject(() => NamesBody) names!: NamesBody;
  @ApiProperty({ example: '1980-05-17' })
  @IsCalendarDate()
  dateOfBirth!: string;
  @ApiProperty({ example: 'DE' })
  @Matches(COUNTRY, { message: 'nationality must be an ISO 3166 alpha-2 code' })
  nationality!: string;
  @ApiProperty({ type: [String] })
  @IsArray()
  @ArrayMaxSize(10)
  @Matches(COUNTRY, { each: true, message: 'each of otherCitizenships must be an ISO 3166 alpha-2 code' })
  otherCitizenships!: string[];
  @ApiProperty({ type: IdentityDocumentBody })
  @NestedObject(() => IdentityDocumentBody)
  identityDocument!: IdentityDocumentBody;
  @ApiProperty({ type: [ContactBody] })
  @IsArray()
  @ArrayMaxSize(20)
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => ContactBody)
  contacts!: ContactBody[];
  @ApiProperty({ type: [String], example: ['de', 'en', 'ru'] })
  @IsArray()
  @ArrayMaxSize(30)
  @Matches(LANGUAGE, { each: true, message: 'each of languages must be an ISO 639-1 code' })
  languages!: string[];
  @ApiProperty({ type: DeclarationsBody })
  @NestedObject(() => DeclarationsBody)
  declarations!: DeclarationsBody;
}

export class SubmitApplicationBody {
  @ApiProperty({ description: 'ISO 3166 alpha-2 of the member-state delegation', example: 'DE' })
  @Matches(COUNTRY, { message: 'delegation must be an ISO 3166 alpha-2 code' })
  delegation!: string;
  @ApiProperty({ enum: ROLES }) @IsIn(ROLES) role!: ObserverRole;
  @ApiProperty({ type: PersonBody }) @NestedObject(() => PersonBody) person!: PersonBody;
}

@ApiTags('accreditation')
@ApiBearerAuth()
@ApiProblems(...BEARER_PROBLEMS, 403, 404)
@Controller('missions/:missionId/applications')
export class SubmitApplicationRoute {
  constructor(@Inject(ACCREDITATION) private readonly accreditation: Accreditation) {}

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
  ): Promise<WriteReply> {
    const person: PersonalData = JSON.parse(JSON.stringify(body.person)) as PersonalData;
    return writeReplyOf(
      await overHttp(
        this.accreditation.submitApplication({
          context: commandContextMessageOf(write, missionId),
          delegation: body.delegation,
          role: body.role,
          person: personMessageOf({ ...person, names: { ...person.names, local: person.names.local ?? null } }),
        }),
      ),
    );
  }
}
