/** A person as SubmitApplication carries them (PersonalData of accreditation.proto), and back. */
import { ValidationFailed } from '#platform';
import type { PersonalData as PersonalDataMessage } from '#proto/observa/accreditation/v1/accreditation';
import type { PersonalData } from '../domain/application.js';
import type { Declarations } from '../domain/eligibility.js';

/** The person as the rpc carries them; the route has validated every field. */
export const personOf = (person: PersonalDataMessage | undefined): PersonalData => {
  if (!person?.names?.latin || !person.identityDocument || !person.declarations)
    throw new ValidationFailed([{ field: 'person', message: 'person is incomplete' }]);
  const { latin, local } = person.names;
  return {
    names: {
      latin: { given: latin.given, family: latin.family },
      local: local ? { given: local.given, family: local.family, script: local.script } : null,
    },
    dateOfBirth: person.dateOfBirth,
    nationality: person.nationality,
    otherCitizenships: [...person.otherCitizenships],
    identityDocument: {
      kind: person.identityDocument.kind as PersonalData['identityDocument']['kind'],
      number: person.identityDocument.number,
      issuingCountry: person.identityDocument.issuingCountry,
    },
    contacts: person.contacts.map(({ kind, value }) => ({
      kind: kind as PersonalData['contacts'][number]['kind'],
      value,
    })),
    languages: [...person.languages],
    declarations: {
      conflictsOfInterest: {
        ...person.declarations.conflictsOfInterest,
      } as Declarations['conflictsOfInterest'],
      documentsProvided: [...person.declarations.documentsProvided] as Declarations['documentsProvided'],
    },
  };
};

/** The person as an rpc carries them. */
export const personMessageOf = (person: PersonalData): PersonalDataMessage => ({
  names: {
    latin: { given: person.names.latin.given, family: person.names.latin.family },
    ...(person.names.local && {
      local: {
        given: person.names.local.given,
        family: person.names.local.family,
        script: person.names.local.script,
      },
    }),
  },
  dateOfBirth: person.dateOfBirth,
  nationality: person.nationality,
  otherCitizenships: [...person.otherCitizenships],
  identityDocument: { ...person.identityDocument },
  contacts: person.contacts.map(({ kind, value }) => ({ kind, value })),
  languages: [...person.languages],
  declarations: {
    conflictsOfInterest: { ...person.declarations.conflictsOfInterest },
    documentsProvided: [...person.declarations.documentsProvided],
  },
});

