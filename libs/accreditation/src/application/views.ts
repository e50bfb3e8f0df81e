/**
 * The items of the accreditation lists as OpenAPI names them. (The openapi branch writes this file in
 * full, with every nested part named: at the merge, take that one; these are the same names.)
 */
import { ApiProperty } from '@nestjs/swagger';
import { ROLES } from '../domain/application.js';
import { STATUSES } from './requests.js';

const nullableObject = { type: 'object', additionalProperties: true, nullable: true } as const;

export class PersonView {
  @ApiProperty({ description: 'true once the person is erased: every other field is then blank' })
  readonly erased!: boolean;
  @ApiProperty({ type: String, nullable: true }) readonly givenName!: string | null;
  @ApiProperty({ type: String, nullable: true }) readonly familyName!: string | null;
  @ApiProperty({ ...nullableObject, description: '{given, family, script}' }) readonly localName!:
    object | null;
  @ApiProperty({ type: String, nullable: true }) readonly dateOfBirth!: string | null;
  @ApiProperty({ type: String, nullable: true }) readonly nationality!: string | null;
  @ApiProperty({ ...nullableObject, description: '{kind, number, issuingCountry}' })
  readonly identityDocument!: object | null;
  @ApiProperty({ type: 'array', items: { type: 'object' }, description: '[{kind, value}]' })
  readonly contacts!: object[];
  @ApiProperty({ type: [String] }) readonly languages!: string[];
}

export class ApplicationView {
  @ApiProperty() readonly applicationId!: string;
  @ApiProperty() readonly missionId!: string;
  @ApiProperty() readonly personId!: string;
  @ApiProperty({ enum: STATUSES }) readonly status!: string;
  @ApiProperty({ example: 'DE' }) readonly delegation!: string;
  @ApiProperty({ enum: ROLES }) readonly role!: string;
  @ApiProperty({ type: PersonView }) readonly person!: PersonView;
  @ApiProperty({
    ...nullableObject,
    description: '{ruleSetId, ruleSetVersion, passed, failures: [{rule, reason}]}',
  })
  readonly screening!: object | null;
  @ApiProperty({ ...nullableObject, description: '{number, validFrom, validTo, conditions}' })
  readonly badge!: object | null;
  @ApiProperty({ type: String, nullable: true }) readonly reason!: string | null;
  @ApiProperty() readonly submittedAt!: string;
  @ApiProperty() readonly updatedAt!: string;
}

export class RuleSetView {
  @ApiProperty({ example: 'kg-2023-lto' }) readonly id!: string;
  @ApiProperty({ description: 'the latest version' }) readonly version!: number;
  @ApiProperty() readonly missionId!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: '{country, kind, date}' })
  readonly election!: object;
  @ApiProperty({ type: 'array', items: { type: 'object' } }) readonly rules!: object[];
}
