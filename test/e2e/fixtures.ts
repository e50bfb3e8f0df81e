/** What the e2e specs (and the HTTP bench) share: two missions, applicants whose facts decide what screening says, a roster. */
import { CONFLICT_OF_INTEREST_QUESTIONS } from '#accreditation';

export const kyrgyzMission = {
  name: 'International Election Observation Mission, Kyrgyz Republic 2023',
  organisation: 'CIS Interparliamentary Assembly',
  hostCountry: 'KG',
  election: { kind: 'parliamentary', date: '2023-11-30', rounds: 1 },
};
export const kazakhMission = {
  name: 'Observation Mission, Republic of Kazakhstan 2020',
  organisation: 'CIS Interparliamentary Assembly',
  hostCountry: 'KZ',
  election: { kind: 'parliamentary', date: '2021-01-10', rounds: 1 },
};

export const noConflicts = Object.fromEntries(CONFLICT_OF_INTEREST_QUESTIONS.map((q) => [q, false]));

/** Eligible under the Kyrgyz LTO call: German, no post, no party. */
export const anna = {
  delegation: 'DE',
  role: 'LTO',
  person: {
    names: { latin: { given: 'Anna', family: 'Schmidtbauer' }, local: null },
    dateOfBirth: '1980-05-17',
    nationality: 'DE',
    otherCitizenships: [],
    identityDocument: { kind: 'passport', number: 'C01X00T47', issuingCountry: 'DE' },
    contacts: [{ kind: 'email', value: 'anna.schmidtbauer@example.org' }],
    languages: ['de', 'en', 'ru'],
    declarations: { conflictsOfInterest: noConflicts, documentsProvided: ['passport', 'photo'] },
  },
};
export const boris = {
  ...anna,
  delegation: 'AT',
  person: {
    ...anna.person,
    names: { latin: { given: 'Boris', family: 'Wehrli' }, local: null },
    nationality: 'AT',
    dateOfBirth: '1977-01-09',
    identityDocument: { kind: 'passport', number: 'P7788123', issuingCountry: 'AT' },
    contacts: [],
    languages: ['de'],
  },
};
/** A Kyrgyz member of parliament who campaigns: fails three rules of the call. */
export const kubat = {
  delegation: 'KZ',
  role: 'STO',
  person: {
    ...anna.person,
    names: {
      latin: { given: 'Kubat', family: 'Osmonov' },
      local: { given: 'Кубат', family: 'Осмонов', script: 'Cyrl' },
    },
    nationality: 'KG',
    dateOfBirth: '1971-04-22',
    identityDocument: { kind: 'passport', number: 'AC1234567', issuingCountry: 'KG' },
    contacts: [{ kind: 'phone', value: '+996 555 010203' }],
    declarations: {
      conflictsOfInterest: {
        ...noConflicts,
        'member-of-parliament': true,
        'campaigning-for-party-or-candidate': true,
      },
      documentsProvided: ['passport'],
    },
  },
};

export const HEADER =
  'given_name,family_name,date_of_birth,nationality,document_kind,document_number,email,languages,role,delegation,conflicts_of_interest,documents_provided';
export const CSV = [
  HEADER,
  'Jana,Novakova,1975-02-11,CZ,passport,CZ4410021,jana@example.org,cs;en;ru,LTO,CZ,none,passport;photo',
  'Piotr,Kowalczyk,1969-09-30,PL,national-id,PL-ID-99812,,pl;ru,STO,PL,none,national-id',
  'Broken,,1969-02-30,POL,passport,,,xx1,Observer,PL,,',
].join('\n');
