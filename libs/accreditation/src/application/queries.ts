/** What can be read of the accreditation context, as plain data (see commands.ts). */
import { Query } from '@nestjs/cqrs';
import type { ImportJobView } from './commands.js';
import type { Page, PageRequest } from '#platform';
import type { RuleSet } from '../domain/eligibility.js';
import type { ApplicationStatus, ObserverRole } from '../domain/application.js';
import type { EligibilityFailure } from '../domain/eligibility.js';

/** A person as the read models show them; every field null once the person is erased. */
export type PersonView = {
  readonly erased: boolean;
  readonly givenName: string | null;
  readonly familyName: string | null;
  readonly localName: { readonly given: string; readonly family: string; readonly script: string } | null;
  readonly dateOfBirth: string | null;
  readonly nationality: string | null;
  readonly identityDocument: {
    readonly kind: string;
    readonly number: string;
    readonly issuingCountry: string;
  } | null;
  readonly contacts: { readonly kind: string; readonly value: string }[];
  readonly languages: string[];
};

export type ApplicationView = {
  readonly applicationId: string;
  readonly missionId: string;
  readonly personId: string;
  readonly status: ApplicationStatus;
  readonly delegation: string;
  readonly role: ObserverRole;
  readonly person: PersonView;
  readonly screening: {
    readonly ruleSetId: string;
    readonly ruleSetVersion: number;
    readonly passed: boolean;
    readonly failures: EligibilityFailure[];
  } | null;
  readonly badge: {
    readonly number: string;
    readonly validFrom: string;
    readonly validTo: string;
    readonly conditions: string[];
  } | null;
  readonly reason: string | null;
  readonly submittedAt: string;
  readonly updatedAt: string;
};

export class ListApplications extends Query<Page<ApplicationView>> {
  constructor(
    readonly missionId: string,
    readonly status: ApplicationStatus | undefined,
    readonly page: PageRequest,
  ) {
    super();
  }
}

export class GetApplication extends Query<ApplicationView> {
  constructor(
    readonly missionId: string,
    readonly applicationId: string,
  ) {
    super();
  }
}

export class ListObservers extends Query<Page<ApplicationView>> {
  constructor(
    readonly missionId: string,
    readonly filter: {
      readonly delegation?: string;
      readonly role?: ObserverRole;
      readonly language?: string;
    },
    readonly page: PageRequest,
  ) {
    super();
  }
}

export class FindBadge extends Query<ApplicationView> {
  constructor(
    readonly missionId: string,
    readonly badgeNumber: string,
  ) {
    super();
  }
}

export class ListRuleSets extends Query<Page<RuleSet>> {
  constructor(
    readonly missionId: string,
    readonly page: PageRequest,
  ) {
    super();
  }
}

/** An import job of the mission; another mission's is not found. */
export class GetImportJob extends Query<ImportJobView> {
  constructor(
    readonly missionId: string,
    readonly jobId: string,
  ) {
    super();
  }
}
