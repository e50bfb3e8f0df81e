/** What can be read of the accreditation context, as plain data (see commands.ts). */
import { Query } from '@nestjs/cqrs';
import type { RuleSet } from '../domain/eligibility.js';
import type { ApplicationStatus, ObserverRole } from '../domain/application.js';
import type { ApplicationView } from './views.js';

export type { ApplicationView, PersonView } from './views.js';

export class ListApplications extends Query<ApplicationView[]> {
  constructor(
    readonly missionId: string,
    readonly status?: ApplicationStatus,
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

export class ListObservers extends Query<ApplicationView[]> {
  constructor(
    readonly missionId: string,
    readonly filter: {
      readonly delegation?: string;
      readonly role?: ObserverRole;
      readonly language?: string;
    },
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

export class ListRuleSets extends Query<RuleSet[]> {
  constructor(readonly missionId: string) {
    super();
  }
}
