/** What can be read of the accreditation context, as plain data (see commands.ts). */
import { Query } from '@nestjs/cqrs';
import type { ImportJobView } from './commands.js';
import type { Page, PageRequest } from '#platform';
import type { RuleSet } from '../domain/eligibility.js';
import type { ApplicationStatus, ObserverRole } from '../domain/application.js';
import type { ApplicationView } from './views.js';

export type { ApplicationView, PersonView } from './views.js';

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
