/** The request bodies and query strings of the accreditation routes, checked by class-validator at the edge. */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsCalendarDate, NestedObject, PageQuery } from '#platform';
import {
  ArrayMaxSize,
  buildMessage,
  IsArray,
  IsIn,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
  ValidateBy,
  ValidateNested,
} from 'class-validator';
import { ROLES, type ApplicationStatus, type ObserverRole } from '../domain/application.js';
import { CONFLICT_OF_INTEREST_QUESTIONS, DOCUMENT_KINDS, type DocumentKind } from '../domain/eligibility.js';

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

export const STATUSES: readonly ApplicationStatus[] = [
  'submitted',
  'screened',
  'approved',
  'rejected',
  'requested',
  'granted',
  'refused',
  'suspended',
  'revoked',
  'expired',
];

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

export class ScreenBody {
  @ApiProperty({ example: 'kg-2023-parliamentary-lto' }) @IsString() @Length(1, 200) ruleSetId!: string;
}

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

export class GrantBody {
  @ApiProperty({ example: 'KG-LTO-0001' }) @IsString() @Length(1, 100) badgeNumber!: string;
  // ISO 8601 allows any number of fractional digits; nobody needs more than nanoseconds.
  @ApiProperty({ example: '2023-11-01T00:00:00Z' })
  @IsISO8601({ strict: true })
  @MaxLength(40)
  validFrom!: string;
  @ApiProperty({ example: '2023-12-15T00:00:00Z' })
  @IsISO8601({ strict: true })
  @MaxLength(40)
  validTo!: string;
  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @Length(1, 1000, { each: true })
  conditions?: string[];
}

export class ApplicationsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: STATUSES }) @IsOptional() @IsIn(STATUSES) status?: ApplicationStatus;
}

export class ObserversQuery extends PageQuery {
  @ApiPropertyOptional({ example: 'DE' })
  @IsOptional()
  @Matches(COUNTRY, { message: 'delegation must be an ISO 3166 alpha-2 code' })
  delegation?: string;
  @ApiPropertyOptional({ enum: ROLES }) @IsOptional() @IsIn(ROLES) role?: ObserverRole;
  @ApiPropertyOptional({ example: 'ru' })
  @IsOptional()
  @Matches(LANGUAGE, { message: 'language must be an ISO 639-1 code' })
  language?: string;
}

/** A field of a row that was refused, and why. */
export class ImportRowError {
  @ApiProperty({ example: 'nationality' }) field!: string;
  @ApiProperty({ example: 'nationality must be an ISO 3166 alpha-2 code' }) message!: string;
}

/** The report of an import: a line per row of the file. */
export class ImportRowAnswer {
  @ApiProperty({
    type: 'integer',
    example: 2,
    description: "the row's number in the sheet: the header is row 1",
  })
  row!: number;
  @ApiProperty({ enum: ['created', 'unchanged', 'refused'] }) status!: string;
  @ApiPropertyOptional({ description: 'the application the row made or found (not when refused)' })
  applicationId?: string;
  @ApiProperty({ type: [ImportRowError] }) errors!: ImportRowError[];
}
export class ImportAnswer {
  @ApiProperty({ type: 'integer' }) created!: number;
  @ApiProperty({ type: 'integer' }) unchanged!: number;
  @ApiProperty({ type: 'integer' }) refused!: number;
  @ApiProperty({ type: [ImportRowAnswer] }) rows!: ImportRowAnswer[];
}

export class ImportProgress {
  @ApiProperty({ type: 'integer', description: 'rows of the file done' }) done!: number;
  @ApiProperty({ type: 'integer', description: 'all the rows of the file' }) total!: number;
}

/** An import job: its state, its progress, and its report once done. */
export class ImportJobAnswer {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) missionId!: string;
  @ApiProperty({ enum: ['queued', 'running', 'done', 'failed'] }) state!: string;
  @ApiProperty({ type: ImportProgress }) progress!: ImportProgress;
  @ApiProperty({ type: ImportAnswer, nullable: true, description: 'once done; null before' })
  report!: ImportAnswer | null;
  @ApiProperty({ type: 'string', nullable: true, description: 'once failed: why; null otherwise' })
  reason!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}
