/**
 * One row of an imported list as an application, or the reasons it cannot be one. The columns:
 *
 *   given_name, family_name, local_given_name, local_family_name, local_script, date_of_birth,
 *   nationality, other_citizenships, document_kind (passport | national-id), document_number,
 *   document_issuing_country, email, phone, languages, role (LTO | STO | CORE_TEAM), delegation,
 *   conflicts_of_interest, documents_provided
 *
 * Lists hold several values separated by `;`. `conflicts_of_interest` is `none` or the questions the
 * applicant answers yes to (every other question is then answered no): left empty, the row is refused,
 * because eligibility is declared, never presumed.
 */
import type { ObserverRole, PersonalData } from '../domain/application.js';
import { ROLES } from '../domain/application.js';
import {
  CONFLICT_OF_INTEREST_QUESTIONS,
  DOCUMENT_KINDS,
  isIsoDate,
  type ConflictOfInterestQuestion,
  type DocumentKind,
} from '../domain/eligibility.js';
import { PERSON_TEXT_LIMITS } from '../submit-application/submit-application.http.js';
import type { RosterRow } from './roster.js';

export type RowApplication = {
  readonly delegation: string;
  readonly role: ObserverRole;
  readonly person: PersonalData;
};
export type FieldProblem = { readonly field: string; readonly message: string };

const COUNTRY = /^[A-Z]{2}$/;
const LANGUAGE = /^[a-z]{2}$/;
const SCRIPT = /^[A-Z][a-z]{3}$/;
/** The same bounds as a submitted person's fields (requests.ts): a row is no way around them. */
const LONGEST: Readonly<Record<string, number>> = {
  given_name: PERSON_TEXT_LIMITS.name,
  family_name: PERSON_TEXT_LIMITS.name,
  local_given_name: PERSON_TEXT_LIMITS.name,
  local_family_name: PERSON_TEXT_LIMITS.name,
  document_number: PERSON_TEXT_LIMITS.documentNumber,
  email: PERSON_TEXT_LIMITS.contact,
  phone: PERSON_TEXT_LIMITS.contact,
};
const list = (text: string | undefined): string[] =>
  (text ?? '')
    .split(/[;,]/)
    .map((item) => item.trim())
    .filter((item) => item.length > 0);

export const applicationOfRow = (
  row: RosterRow,
): { readonly application: RowApplication } | { readonly errors: FieldProblem[] } => {
  const errors: FieldProblem[] = [];
  const cell = (field: string) => row.cells[field] ?? '';
  for (const [field, longest] of Object.entries(LONGEST))
    if (cell(field).length > longest)
      errors.push({ field, message: `must be at most ${longest} characters` });
  if (cell('local_script') && !SCRIPT.test(cell('local_script')))
    errors.push({ field: 'local_script', message: 'must be an ISO 15924 code such as Cyrl' });
  const required = (field: string): string => {
    const value = cell(field);
    if (!value) errors.push({ field, message: 'is required' });
    return value;
  };
  const country = (field: string, value: string): string => {
    const code = value.toUpperCase();
    if (value && !COUNTRY.test(code))
      errors.push({ field, message: `${JSON.stringify(value)} is not an ISO 3166 alpha-2 code` });
    return code;
  };

  const given = required('given_name');
  const family = required('family_name');
  const dateOfBirth = required('date_of_birth');
  if (dateOfBirth && !isIsoDate(dateOfBirth))
    errors.push({ field: 'date_of_birth', message: 'must be a date as YYYY-MM-DD' });
  const nationality = country('nationality', required('nationality'));
  const otherCitizenships = list(cell('other_citizenships')).map((c) => country('other_citizenships', c));
  const documentKind = cell('document_kind') || 'passport';
  if (documentKind !== 'passport' && documentKind !== 'national-id')
    errors.push({ field: 'document_kind', message: 'must be passport or national-id' });
  const documentNumber = required('document_number');
  const issuingCountry = country('document_issuing_country', cell('document_issuing_country') || nationality);

  const languages = list(cell('languages')).map((l) => l.toLowerCase());
  if (languages.length === 0)
    errors.push({ field: 'languages', message: 'must list at least one ISO 639-1 code' });
  for (const language of languages)
    if (!LANGUAGE.test(language))
      errors.push({ field: 'languages', message: `${JSON.stringify(language)} is not an ISO 639-1 code` });

  const role = required('role')
    .toUpperCase()
    .replace(/[\s-]+/g, '_');
  if (role && !(ROLES as readonly string[]).includes(role))
    errors.push({ field: 'role', message: `must be one of ${ROLES.join(', ')}` });
  const delegation = country('delegation', required('delegation'));

  const contacts: PersonalData['contacts'] = [];
  if (cell('email')) contacts.push({ kind: 'email', value: cell('email') });
  if (cell('phone')) contacts.push({ kind: 'phone', value: cell('phone') });

  const declared = cell('conflicts_of_interest');
  const yes = new Set<string>();
  if (!declared)
    errors.push({
      field: 'conflicts_of_interest',
      message: 'must be answered: "none", or the questions answered yes, separated by ;',
    });
  else if (declared.toLowerCase() !== 'none')
    for (const question of list(declared)) {
      if ((CONFLICT_OF_INTEREST_QUESTIONS as readonly string[]).includes(question)) yes.add(question);
      else
        errors.push({
          field: 'conflicts_of_interest',
          message: `${JSON.stringify(question)} is not a question`,
        });
    }
  const documentsProvided = list(cell('documents_provided'));
  for (const document of documentsProvided)
    if (!(DOCUMENT_KINDS as readonly string[]).includes(document))
      errors.push({
        field: 'documents_provided',
        message: `${JSON.stringify(document)} is not a kind of document`,
      });

  if (errors.length > 0) return { errors };
  const localGiven = cell('local_given_name');
  const localFamily = cell('local_family_name');
  return {
    application: {
      delegation,
      role: role as ObserverRole,
      person: {
        names: {
          latin: { given, family },
          local:
            localGiven || localFamily
              ? { given: localGiven, family: localFamily, script: cell('local_script') || 'Zyyy' }
              : null,
        },
        dateOfBirth,
        nationality,
        otherCitizenships,
        identityDocument: {
          kind: documentKind as 'passport' | 'national-id',
          number: documentNumber,
          issuingCountry,
        },
        contacts,
        languages,
        declarations: {
          conflictsOfInterest: Object.fromEntries(
            CONFLICT_OF_INTEREST_QUESTIONS.map((q) => [q, yes.has(q)]),
          ) as Record<ConflictOfInterestQuestion, boolean>,
          documentsProvided: documentsProvided as DocumentKind[],
        },
      },
    },
  };
};
