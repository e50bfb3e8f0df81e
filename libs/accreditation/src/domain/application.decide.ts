/**
 * The rules of an observer application: what the secretariat and the host election body may do,
 * and in which order. Status machine:
 *
 *   submitted → screened (passed | failed) → approved | rejected → requested → granted | refused
 *   granted ↔ suspended;  granted | suspended → revoked | expired
 *
 * Pure: time and ids come in on the command; personal data is read only on submission, and screening
 * takes the applicant's facts on the command, so deciding works while `person` is encrypted in the store.
 */
import type { Decider } from '#event-sourcing';
import { DomainRuleBroken, NotFound } from '#event-sourcing';
import {
  evolve,
  initialState,
  ROLES,
  type Application,
  type ApplicationEvent,
  type ApplicationState,
  type ApplicationStatus,
} from './application.js';
import type {
  ApplicationCommand,
  ErasePerson,
  ScreenEligibility,
  SubmitApplication,
} from './application.commands.js';
import { badgeNumberOf } from './badge-number.js';
import { CONFLICT_OF_INTEREST_QUESTIONS, screen } from './eligibility.js';
import { validateRuleSet } from './eligibility.validate.js';

/** Before the host body grants, the secretariat may still reject. */
const PRE_GRANT: readonly ApplicationStatus[] = ['submitted', 'screened', 'approved', 'requested'];
/** A badge is in force: the observer may be at a station. */
const IN_FORCE: readonly ApplicationStatus[] = ['granted', 'suspended'];

export const decide = (command: ApplicationCommand, state: ApplicationState): ApplicationEvent[] => {
  if (command.type === 'SubmitApplication') return submit(command, state);
  const application = existing(state);
  if (command.type === 'ErasePerson') return erase(command, application);
  if (application.personErased)
    throw new DomainRuleBroken(
      `the person of application ${application.id} was erased: it can go no further`,
    );
  const applicationId = application.id;

  switch (command.type) {
    case 'ScreenEligibility':
      return screenEligibility(command, application);
    case 'ApproveApplication': {
      const { screening } = application;
      if (application.status !== 'screened' || !screening)
        throw refused(application, 'approve', 'only a screened application can be approved');
      if (!screening.passed)
        throw refused(application, 'approve', 'it failed eligibility screening; it can only be rejected');
      const basedOn = { ruleSetId: screening.ruleSetId, ruleSetVersion: screening.ruleSetVersion };
      const reason = command.reason?.trim() || null;
      return [
        {
          type: 'ApplicationApproved',
          data: { applicationId, by: command.by, reason, basedOn, at: command.at },
        },
      ];
    }
    case 'RejectApplication':
      requireStatus(application, PRE_GRANT, 'reject');
      return [
        {
          type: 'ApplicationRejected',
          data: { applicationId, by: command.by, reason: reasonOf(command, 'rejecting'), at: command.at },
        },
      ];
    case 'RequestAccreditation':
      requireStatus(application, ['approved'], 'request accreditation for');
      if (!command.hostBody.trim())
        throw new DomainRuleBroken('an accreditation request must name the host election body');
      return [
        {
          type: 'AccreditationRequested',
          data: { applicationId, hostBody: command.hostBody.trim(), by: command.by, at: command.at },
        },
      ];
    case 'GrantAccreditation': {
      requireStatus(application, ['requested'], 'grant accreditation to');
      // Badge numbers are unique per mission: the application layer reserves the number across the
      // mission's applications before this command is issued; one application cannot see the others.
      const badgeNumber = badgeNumberOf(command.badgeNumber);
      if (!badgeNumber) throw new DomainRuleBroken('a granted accreditation needs a badge number');
      const validFrom = instant(command.validFrom, 'validFrom');
      const validTo = instant(command.validTo, 'validTo');
      if (validTo <= validFrom)
        throw new DomainRuleBroken('a badge must be valid to a moment after it is valid from');
      const conditions = command.conditions.map((c) => c.trim()).filter((c) => c.length > 0);
      return [
        {
          type: 'AccreditationGranted',
          data: {
            applicationId,
            badgeNumber,
            validFrom: command.validFrom,
            validTo: command.validTo,
            conditions,
            at: command.at,
          },
        },
      ];
    }
    case 'RefuseAccreditation':
      requireStatus(application, ['requested'], 'record a refusal for');
      return [
        {
          type: 'AccreditationRefused',
          data: { applicationId, reason: reasonOf(command, 'a refusal'), at: command.at },
        },
      ];
    case 'SuspendAccreditation':
      requireStatus(application, ['granted'], 'suspend');
      return [
        {
          type: 'AccreditationSuspended',
          data: { applicationId, by: command.by, reason: reasonOf(command, 'suspending'), at: command.at },
        },
      ];
    case 'ReinstateAccreditation':
      requireStatus(application, ['suspended'], 'reinstate');
      if (instant(command.at, 'at') >= instant(application.badge!.validTo, 'validTo'))
        throw refused(application, 'reinstate', 'its badge is no longer valid; it expires instead');
      return [{ type: 'AccreditationReinstated', data: { applicationId, by: command.by, at: command.at } }];
    case 'RevokeAccreditation':
      requireStatus(application, IN_FORCE, 'revoke');
      return [
        {
          type: 'AccreditationRevoked',
          data: { applicationId, by: command.by, reason: reasonOf(command, 'revoking'), at: command.at },
        },
      ];
    case 'ExpireAccreditation': {
      if (application.status === 'expired') return [];
      requireStatus(application, IN_FORCE, 'expire');
      const validTo = application.badge!.validTo;
      if (instant(command.now, 'now') <= instant(validTo, 'validTo'))
        throw refused(application, 'expire', `its badge is valid until ${validTo}`);
      return [{ type: 'AccreditationExpired', data: { applicationId, validTo, at: command.now } }];
    }
    default:
      void (command satisfies never);
      throw new DomainRuleBroken(`unknown command ${(command as { type: string }).type}`);
  }
};

const submit = (command: SubmitApplication, state: ApplicationState): ApplicationEvent[] => {
  if (state.status !== 'none')
    throw new DomainRuleBroken(`application ${command.applicationId} was already submitted`);
  if (!ROLES.includes(command.role))
    throw new DomainRuleBroken(`${command.role} is not an observer role (${ROLES.join(', ')})`);
  const answers: Record<string, unknown> = command.person.declarations.conflictsOfInterest;
  const unanswered = CONFLICT_OF_INTEREST_QUESTIONS.filter((q) => typeof answers[q] !== 'boolean');
  if (unanswered.length > 0)
    throw new DomainRuleBroken(
      `every conflict-of-interest question must be answered; unanswered: ${unanswered.join(', ')}`,
    );
  const { applicationId, missionId, delegation, role, personId, person, at } = command;
  return [
    {
      type: 'ApplicationSubmitted',
      data: { applicationId, missionId, delegation, role, personId, person, at },
    },
  ];
};

const screenEligibility = (command: ScreenEligibility, application: Application): ApplicationEvent[] => {
  requireStatus(application, ['submitted', 'screened'], 'screen');
  const { ruleSet } = command;
  if (!ruleSet) throw new DomainRuleBroken('screening needs a rule set');
  const problems = validateRuleSet(ruleSet);
  if (problems.length > 0)
    throw new DomainRuleBroken(
      `rule set has problems: ${problems.map((p) => `${p.at}: ${p.problem}`).join('; ')}`,
    );
  if (ruleSet.missionId !== application.missionId)
    throw new DomainRuleBroken(
      `rule set ${ruleSet.id} is for mission ${ruleSet.missionId}, not ${application.missionId}`,
    );
  const latest = application.screening;
  if (latest && latest.ruleSetId === ruleSet.id) {
    // The same version gives the same answer for the same application: a retry, not a new screening.
    if (latest.ruleSetVersion === ruleSet.version) return [];
    if (latest.ruleSetVersion > ruleSet.version)
      throw new DomainRuleBroken(
        `already screened against ${ruleSet.id} v${latest.ruleSetVersion}; v${ruleSet.version} is older`,
      );
  }
  const { passed, failures } = screen(ruleSet, command.facts);
  return [
    {
      type: 'EligibilityScreened',
      data: {
        applicationId: application.id,
        ruleSetId: ruleSet.id,
        ruleSetVersion: ruleSet.version,
        passed,
        failures,
        at: command.at,
      },
    },
  ];
};

const erase = (command: ErasePerson, application: Application): ApplicationEvent[] => {
  if (application.personErased) return [];
  // The host body holds a badge in this person's name: it is revoked (or expires) before the person is forgotten.
  if (IN_FORCE.includes(application.status))
    throw refused(application, 'erase the person of', 'its accreditation is in force; revoke it first');
  const { id: applicationId, personId } = application;
  return [{ type: 'PersonErased', data: { applicationId, personId, by: command.by, at: command.at } }];
};

const existing = (state: ApplicationState): Application => {
  if (state.status === 'none') throw new NotFound('no such application');
  return state;
};

const refused = (application: Application, action: string, why: string) =>
  new DomainRuleBroken(`cannot ${action} application ${application.id} (${application.status}): ${why}`);

const requireStatus = (
  application: Application,
  allowed: readonly ApplicationStatus[],
  action: string,
): void => {
  if (!allowed.includes(application.status))
    throw refused(application, action, `only when ${allowed.join(' or ')}`);
};

const reasonOf = (command: { readonly reason: string }, what: string): string => {
  const reason = command.reason.trim();
  if (!reason) throw new DomainRuleBroken(`${what} needs a reason`);
  return reason;
};

const instant = (text: string, field: string): number => {
  const time = Date.parse(text);
  if (Number.isNaN(time)) throw new DomainRuleBroken(`${field} is not a date and time: ${text}`);
  return time;
};

export const applicationDecider: Decider<ApplicationState, ApplicationCommand, ApplicationEvent> = {
  decide,
  evolve,
  initialState,
};
