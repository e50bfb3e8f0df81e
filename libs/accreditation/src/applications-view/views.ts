/**
 * What the accreditation reads answer, as classes: the query handlers' return types AND the schemas of
 * the OpenAPI document, so the document cannot describe another shape than the one the code builds.
 */
import { ApiExtraModels, ApiProperty, getSchemaPath } from '@nestjs/swagger';
import { ROLES, type ApplicationStatus, type ObserverRole } from '../domain/application.js';
import {
  DOCUMENT_KINDS,
  OCCUPATIONS,
  RULE_KINDS,
  type DocumentKind,
  type EligibilityFailure,
  type Occupation,
  type Rule,
  type RuleKind,
  type RuleSet,
} from '../domain/eligibility.js';

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

export class LocalNameView {
  @ApiProperty({ example: 'Кубат' }) readonly given!: string;
  @ApiProperty({ example: 'Осмонов' }) readonly family!: string;
  @ApiProperty({ example: 'Cyrl', description: 'ISO 15924 script code' }) readonly script!: string;
}

export class IdentityDocumentView {
  @ApiProperty({ example: 'passport' }) readonly kind!: string;
  @ApiProperty({ example: 'C01X00T47' }) readonly number!: string;
  @ApiProperty({ example: 'DE' }) readonly issuingCountry!: string;
}

export class ContactView {
  @ApiProperty({ example: 'email' }) readonly kind!: string;
  @ApiProperty({ example: 'anna.schmidtbauer@example.org' }) readonly value!: string;
}

/** A person as the read models show them; every field null (lists empty) once the person is erased. */
export class PersonView {
  @ApiProperty({ description: 'true once the person is erased: every other field is then blank' })
  readonly erased!: boolean;
  @ApiProperty({ type: String, nullable: true, example: 'Anna' }) readonly givenName!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'Schmidtbauer' }) readonly familyName!: string | null;
  @ApiProperty({ type: LocalNameView, nullable: true }) readonly localName!: LocalNameView | null;
  @ApiProperty({ type: String, nullable: true, example: '1980-05-17' }) readonly dateOfBirth!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'DE' }) readonly nationality!: string | null;
  @ApiProperty({ type: IdentityDocumentView, nullable: true })
  readonly identityDocument!: IdentityDocumentView | null;
  @ApiProperty({ type: [ContactView] }) readonly contacts!: ContactView[];
  @ApiProperty({ type: [String], example: ['de', 'en', 'ru'], description: 'ISO 639-1, lower case' })
  readonly languages!: string[];
}

export class EligibilityFailureView implements EligibilityFailure {
  @ApiProperty({ enum: RULE_KINDS, example: 'excluded-nationality' }) readonly rule!: RuleKind;
  @ApiProperty({ example: 'citizens of the host country cannot observe: citizen of KG' })
  readonly reason!: string;
}

export class ScreeningView {
  @ApiProperty({ example: 'kg-2023-parliamentary-lto' }) readonly ruleSetId!: string;
  @ApiProperty({ type: 'integer', example: 1 }) readonly ruleSetVersion!: number;
  @ApiProperty() readonly passed!: boolean;
  @ApiProperty({ type: [EligibilityFailureView], description: 'every rule that failed' })
  readonly failures!: EligibilityFailureView[];
}

export class BadgeView {
  @ApiProperty({ example: 'KG-LTO-0001' }) readonly number!: string;
  @ApiProperty({ example: '2023-11-01T00:00:00Z' }) readonly validFrom!: string;
  @ApiProperty({ example: '2023-12-15T00:00:00Z' }) readonly validTo!: string;
  @ApiProperty({ type: [String], example: ['photo and video only where the precinct chair allows'] })
  readonly conditions!: string[];
}

/** An application as the read model has it: an item of the lists, the answer of a lookup. */
export class ApplicationView {
  @ApiProperty() readonly applicationId!: string;
  @ApiProperty({ format: 'uuid' }) readonly missionId!: string;
  @ApiProperty({ description: 'the person across missions (erase them with it)' }) readonly personId!: string;
  @ApiProperty({ enum: STATUSES }) readonly status!: ApplicationStatus;
  @ApiProperty({ example: 'DE', description: 'ISO 3166 alpha-2 of the member-state delegation' })
  readonly delegation!: string;
  @ApiProperty({ enum: ROLES }) readonly role!: ObserverRole;
  @ApiProperty({ type: PersonView }) readonly person!: PersonView;
  @ApiProperty({ type: ScreeningView, nullable: true, description: 'the latest screening' })
  readonly screening!: ScreeningView | null;
  @ApiProperty({ type: BadgeView, nullable: true, description: 'once accreditation is granted' })
  readonly badge!: BadgeView | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'why it was rejected, refused, suspended, revoked',
  })
  readonly reason!: string | null;
  @ApiProperty({ example: '2023-10-02T09:14:00.000Z' }) readonly submittedAt!: string;
  @ApiProperty({ example: '2023-10-20T16:40:00.000Z' }) readonly updatedAt!: string;
}

class ExcludedOccupationRule {
  @ApiProperty({ enum: ['excluded-occupation'] }) readonly kind!: 'excluded-occupation';
  @ApiProperty({ enum: OCCUPATIONS, isArray: true }) readonly occupations!: Occupation[];
}
class NonPartisanRule {
  @ApiProperty({ enum: ['must-be-non-partisan'] }) readonly kind!: 'must-be-non-partisan';
}
class ExcludedNationalityRule {
  @ApiProperty({ enum: ['excluded-nationality'] }) readonly kind!: 'excluded-nationality';
  @ApiProperty({ type: [String], example: ['KG'] }) readonly countries!: string[];
  @ApiProperty({ example: 'citizens of the host country cannot observe' }) readonly reason!: string;
}
class RequiredDocumentsRule {
  @ApiProperty({ enum: ['required-documents'] }) readonly kind!: 'required-documents';
  @ApiProperty({ enum: DOCUMENT_KINDS, isArray: true }) readonly documents!: DocumentKind[];
}
class MinimumAgeRule {
  @ApiProperty({ enum: ['minimum-age'] }) readonly kind!: 'minimum-age';
  @ApiProperty({ type: 'integer', example: 21 }) readonly years!: number;
  @ApiProperty({ example: '2023-11-30', description: 'age in whole years on this date' })
  readonly onDate!: string;
}
class RequiredLanguagesRule {
  @ApiProperty({ enum: ['required-languages'] }) readonly kind!: 'required-languages';
  @ApiProperty({ type: [String], example: ['ru', 'ky'], description: 'ISO 639-1; one is enough' })
  readonly anyOf!: string[];
}
const RULES = [
  ExcludedOccupationRule,
  NonPartisanRule,
  ExcludedNationalityRule,
  RequiredDocumentsRule,
  MinimumAgeRule,
  RequiredLanguagesRule,
];

export class RuleSetElectionView {
  @ApiProperty({ example: 'KG' }) readonly country!: string;
  @ApiProperty({ example: 'early-parliamentary' }) readonly kind!: string;
  @ApiProperty({ example: '2023-11-30' }) readonly date!: string;
}

/** An eligibility rule set, as published (its latest version): the rules as data. */
@ApiExtraModels(...RULES)
export class RuleSetView implements RuleSet {
  @ApiProperty({ example: 'kg-2023-parliamentary-lto' }) readonly id!: string;
  @ApiProperty({ type: 'integer', example: 1, description: 'grows by one with every change' })
  readonly version!: number;
  @ApiProperty({ format: 'uuid' }) readonly missionId!: string;
  @ApiProperty({ type: RuleSetElectionView }) readonly election!: RuleSetElectionView;
  @ApiProperty({
    type: 'array',
    items: { oneOf: RULES.map((rule) => ({ $ref: getSchemaPath(rule) })) },
  })
  readonly rules!: Rule[];
}
