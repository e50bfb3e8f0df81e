/**
 * An application of the read model as the query rpcs carry it (ApplicationView of accreditation.proto),
 * and back as the routes answer it: absent in the message is null in the answer.
 */
import { PAGE_LIMITS, type Page, type PageRequest } from '#platform';
import type { ApplicationView as ApplicationMessage } from '#proto/observa/accreditation/v1/accreditation';
import type { PageRequest as PageMessage } from '#proto/observa/common/v1/calls';
import type { ApplicationStatus, ObserverRole } from '../domain/application.js';
import type { RuleKind } from '../domain/eligibility.js';
import type { ApplicationView, PersonView } from './views.js';

export const applicationMessageOf = (view: ApplicationView): ApplicationMessage => {
  const { person } = view;
  return {
    applicationId: view.applicationId,
    missionId: view.missionId,
    personId: view.personId,
    status: view.status,
    delegation: view.delegation,
    role: view.role,
    person: {
      erased: person.erased,
      ...(person.givenName !== null && { givenName: person.givenName }),
      ...(person.familyName !== null && { familyName: person.familyName }),
      ...(person.localName && { localName: { ...person.localName } }),
      ...(person.dateOfBirth !== null && { dateOfBirth: person.dateOfBirth }),
      ...(person.nationality !== null && { nationality: person.nationality }),
      ...(person.identityDocument && { identityDocument: { ...person.identityDocument } }),
      contacts: person.contacts.map(({ kind, value }) => ({ kind, value })),
      languages: [...person.languages],
    },
    ...(view.screening && {
      screening: {
        ruleSetId: view.screening.ruleSetId,
        ruleSetVersion: view.screening.ruleSetVersion,
        passed: view.screening.passed,
        failures: view.screening.failures.map(({ rule, reason }) => ({ rule, reason })),
      },
    }),
    ...(view.badge && { badge: { ...view.badge, conditions: [...view.badge.conditions] } }),
    ...(view.reason !== null && { reason: view.reason }),
    submittedAt: view.submittedAt,
    updatedAt: view.updatedAt,
  };
};

const personViewOf = (person: ApplicationMessage['person']): PersonView => ({
  erased: person?.erased ?? false,
  givenName: person?.givenName ?? null,
  familyName: person?.familyName ?? null,
  localName: person?.localName
    ? { given: person.localName.given, family: person.localName.family, script: person.localName.script }
    : null,
  dateOfBirth: person?.dateOfBirth ?? null,
  nationality: person?.nationality ?? null,
  identityDocument: person?.identityDocument
    ? {
        kind: person.identityDocument.kind,
        number: person.identityDocument.number,
        issuingCountry: person.identityDocument.issuingCountry,
      }
    : null,
  contacts: (person?.contacts ?? []).map(({ kind, value }) => ({ kind, value })),
  languages: [...(person?.languages ?? [])],
});

/** The application as the routes answer it, its fields in the order the read model always wrote them. */
export const applicationViewOf = (message: ApplicationMessage | undefined): ApplicationView => {
  if (!message) throw new Error('the accreditation context answered no application');
  return {
    applicationId: message.applicationId,
    missionId: message.missionId,
    personId: message.personId,
    status: message.status as ApplicationStatus,
    delegation: message.delegation,
    role: message.role as ObserverRole,
    person: personViewOf(message.person),
    screening: message.screening
      ? {
          ruleSetId: message.screening.ruleSetId,
          ruleSetVersion: message.screening.ruleSetVersion,
          passed: message.screening.passed,
          failures: (message.screening.failures ?? []).map(({ rule, reason }) => ({
            rule: rule as RuleKind,
            reason,
          })),
        }
      : null,
    badge: message.badge
      ? {
          number: message.badge.number,
          validFrom: message.badge.validFrom,
          validTo: message.badge.validTo,
          conditions: [...(message.badge.conditions ?? [])],
        }
      : null,
    reason: message.reason ?? null,
    submittedAt: message.submittedAt,
    updatedAt: message.updatedAt,
  };
};

/** A list's page as the routes answer it. */
export const pageOf = <Item, Message>(
  reply: { readonly items?: readonly Message[]; readonly nextCursor?: string },
  itemOf: (message: Message) => Item,
): Page<Item> => ({ items: (reply.items ?? []).map(itemOf), nextCursor: reply.nextCursor ?? null });

/** A read page as its reply carries it: no cursor on the last page. */
export const pageReplyOf = <Item, Message>(
  page: Page<Item>,
  messageOf: (item: Item) => Message,
): { items: Message[]; nextCursor?: string } => ({
  items: page.items.map(messageOf),
  ...(page.nextCursor !== null && { nextCursor: page.nextCursor }),
});

/** The page a request asks for, the defaults applied. */
export const pageRequestFrom = (page: PageMessage | undefined): PageRequest => ({
  limit: page?.limit || PAGE_LIMITS.default,
  cursor: page?.cursor ?? null,
});
