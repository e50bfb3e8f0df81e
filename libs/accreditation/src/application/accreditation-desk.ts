/**
 * Where the accreditation commands meet the store: loads an application, checks it belongs to the
 * mission in the request, seals personal data before it is written, stamps the time on the command.
 * The time is put in at decide time and not into the command that is hashed, so a retried request
 * (same Idempotency-Key) is recognised as the same one.
 */
import { Inject, Injectable } from '@nestjs/common';
import {
  CommandHandler,
  DomainRuleBroken,
  EVENT_STORE,
  NotFound,
  PERSONAL_DATA_VAULT,
  PersonErasedError,
  type CommandContext,
  type CommandResult,
  type DomainCommand,
  type Decider,
  type EventStore,
  type PersonalDataVault,
  type SealedPersonalData,
} from '#event-sourcing';
import {
  applicantFacts,
  type Application,
  type ApplicationEvent,
  type ApplicationState,
  type ApplicationSubmitted,
  type PersonalData,
} from '../domain/application.js';
import type { ApplicationCommand } from '../domain/application.commands.js';
import { applicationDecider } from '../domain/application.decide.js';
import type { RuleSet } from '../domain/eligibility.js';
import { badgeNumberOf } from '../domain/badge-number.js';
import { badgeDecider, type BadgeCommand } from './badge.stream.js';
import type { WriteResult } from './commands.js';
import {
  applicationIdFor,
  applicationStream,
  badgeStream,
  personIdFor,
  ruleSetStream,
} from './identities.js';
import { ruleSetDecider, type PublishRuleSetVersion } from './rule-set.stream.js';

export const ACCREDITATION_CLOCK = Symbol('AccreditationClock');
export type Clock = () => Date;

type ApplicationDecider = Decider<ApplicationState, ApplicationCommand, ApplicationEvent>;

/** The decider, with fields added to every command as it is decided (time, facts read from the store). */
const completing = (
  extra: Record<string, unknown>,
  decider: ApplicationDecider = applicationDecider,
): Decider<ApplicationState, DomainCommand, ApplicationEvent> => ({
  ...decider,
  decide: (command, state) => decider.decide({ ...command, ...extra } as ApplicationCommand, state),
});

export const replyOf = (id: string, result: CommandResult): WriteResult => ({
  id,
  streamVersion: result.streamVersion.toString(),
  eventIds: [...result.eventIds],
  appended: result.appended,
});

export type NewApplication = {
  readonly delegation: string;
  readonly role: ApplicationSubmitted['data']['role'];
  readonly person: PersonalData;
};

@Injectable()
export class AccreditationDesk {
  readonly handler: CommandHandler;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(PERSONAL_DATA_VAULT) private readonly vault: PersonalDataVault,
    @Inject(ACCREDITATION_CLOCK) private readonly clock: Clock,
  ) {
    this.handler = new CommandHandler(store, { now: clock });
  }

  private at(): string {
    return this.clock().toISOString();
  }

  idsOf(missionId: string, person: PersonalData): { applicationId: string; personId: string } {
    const { nationality, identityDocument } = person;
    return {
      applicationId: applicationIdFor(missionId, nationality, identityDocument.number),
      personId: personIdFor(missionId, nationality, identityDocument.number),
    };
  }

  /** The application, if it exists and belongs to this mission; to anyone else it does not exist. */
  async application(
    missionId: string,
    applicationId: string,
  ): Promise<{ state: Application; submitted: ApplicationSubmitted }> {
    const { state, events } = await this.handler.load(applicationDecider, applicationStream(applicationId));
    if (state.status === 'none' || state.missionId !== missionId)
      throw new NotFound(`there is no application ${applicationId} in this mission`);
    const submitted = events.find(
      (e) => e.type === 'ApplicationSubmitted',
    ) as unknown as ApplicationSubmitted;
    return { state, submitted };
  }

  async exists(applicationId: string): Promise<boolean> {
    const { state } = await this.handler.load(applicationDecider, applicationStream(applicationId));
    return state.status !== 'none';
  }

  async publishRuleSet(ruleSet: RuleSet, context: CommandContext): Promise<CommandResult> {
    return this.handler.handle(
      {
        ...ruleSetDecider,
        decide: (command: PublishRuleSetVersion, state) =>
          ruleSetDecider.decide({ ...command, at: this.at() }, state),
      },
      ruleSetStream(ruleSet.missionId, ruleSet.id),
      { type: 'PublishRuleSetVersion', ruleSet, at: '' },
      context,
    );
  }

  async ruleSet(missionId: string, ruleSetId: string): Promise<RuleSet> {
    const { state } = await this.handler.load(ruleSetDecider, ruleSetStream(missionId, ruleSetId));
    if (!state) throw new NotFound(`there is no rule set ${ruleSetId} in this mission`);
    return state;
  }

  /** Seals the person and submits; the person's plaintext is never written, nor hashed into the command. */
  async submit(
    missionId: string,
    application: NewApplication,
    context: CommandContext,
  ): Promise<{ applicationId: string; result: CommandResult }> {
    const { applicationId, personId } = this.idsOf(missionId, application.person);
    const request = {
      type: 'SubmitApplication',
      applicationId,
      missionId,
      delegation: application.delegation,
      role: application.role,
      personId,
    } as const;
    // The rules of submission read the plaintext: check them before a key is made for the person.
    const { state } = await this.handler.load(applicationDecider, applicationStream(applicationId));
    if (state.status === 'none')
      applicationDecider.decide({ ...request, person: application.person, at: this.at() }, state);
    let sealed: SealedPersonalData;
    try {
      sealed = await this.vault.encrypt(personId, application.person);
    } catch (error) {
      if (error instanceof PersonErasedError)
        throw new DomainRuleBroken('this person was erased from the mission: they cannot apply again');
      throw error;
    }
    const sealing: ApplicationDecider = {
      ...applicationDecider,
      decide: (command, current) =>
        applicationDecider
          .decide(command, current)
          .map((event) =>
            event.type === 'ApplicationSubmitted'
              ? ({ ...event, data: { ...event.data, person: sealed } } as unknown as ApplicationEvent)
              : event,
          ),
    };
    const result = await this.handler.handle(
      completing({ person: application.person, at: this.at() }, sealing),
      applicationStream(applicationId),
      request,
      { ...context, missionId },
    );
    return { applicationId, result };
  }

  async screen(
    missionId: string,
    applicationId: string,
    ruleSetId: string,
    context: CommandContext,
  ): Promise<CommandResult> {
    const { submitted } = await this.application(missionId, applicationId);
    const ruleSet = await this.ruleSet(missionId, ruleSetId);
    const stored = submitted.data.person as unknown;
    const person = (await this.vault.decrypt<PersonalData>(stored as SealedPersonalData)) ?? null;
    if (!person)
      throw new DomainRuleBroken(
        `the person of application ${applicationId} was erased: it can go no further`,
      );
    return this.handler.handle(
      completing({ ruleSet, facts: applicantFacts(person), at: this.at() }),
      applicationStream(applicationId),
      { type: 'ScreenEligibility', ruleSetId: ruleSet.id, ruleSetVersion: ruleSet.version },
      { ...context, missionId },
    );
  }

  /** A step that needs nothing beyond what the request says (and, for some, who asks). */
  async step(
    missionId: string,
    applicationId: string,
    request: DomainCommand & Record<string, unknown>,
    context: CommandContext,
  ): Promise<CommandResult> {
    await this.application(missionId, applicationId);
    const at = this.at();
    return this.handler.handle(
      completing({ by: context.actor?.userId ?? 'unknown', at, now: at }),
      applicationStream(applicationId),
      request,
      { ...context, missionId },
    );
  }

  /**
   * A grant writes two streams, the badge's reservation and then the application's grant, and the
   * store has no transaction across streams. So a reservation binds the number to ONE application,
   * and is void once that application can no longer be granted it: it has left `requested` without
   * this number (no status leads back to `requested`, so that can never be undone):
   * - a grant the application cannot take now is refused before anything is written;
   * - a retry for the same application finds the reservation its own and carries on;
   * - when the application's append is refused after the reservation (another grant won the race,
   *   the application moved on), the reservation is released at once if it is void;
   * - when the process dies between the two appends, or the application's append fails while it is
   *   still `requested`, the reservation stays: a retry for that application succeeds; another
   *   application is refused (409) while the holder's grant may still happen, and takes the number
   *   once the reservation is void. A refused grant therefore never keeps a number from anyone.
   * The event ids of the badge stream do not derive from the request's command id: whether to write is
   * the badge's state alone (a reservation released and reserved again is a new write).
   */
  async grant(
    missionId: string,
    applicationId: string,
    grant: { badgeNumber: string; validFrom: string; validTo: string; conditions: string[] },
    context: CommandContext,
  ): Promise<CommandResult> {
    const { state } = await this.application(missionId, applicationId);
    const at = this.at();
    const badgeNumber = badgeNumberOf(grant.badgeNumber);
    // Deciding is pure: refuse a grant the application cannot take before its number is reserved.
    applicationDecider.decide({ type: 'GrantAccreditation', ...grant, at }, state);
    const badge = badgeStream(missionId, badgeNumber);
    const facts = { missionId, badgeNumber, applicationId, at };
    const { state: holder } = await this.handler.load(badgeDecider, badge);
    const letGo = holder !== null && holder !== applicationId && (await this.hasLetGo(holder, badgeNumber));
    await this.onBadge(badge, { type: 'ReserveBadge', ...facts, ...(letGo && { letGo: holder }) }, context);
    try {
      return await this.handler.handle(
        completing({ at }),
        applicationStream(applicationId),
        { type: 'GrantAccreditation', ...grant, badgeNumber },
        { ...context, missionId },
      );
    } catch (error) {
      // Best effort: a reservation left behind is void all the same, and taken over when asked for.
      await this.hasLetGo(applicationId, badgeNumber)
        .then((voided) =>
          voided
            ? this.onBadge(badge, { type: 'ReleaseBadge', ...facts, letGo: applicationId }, context)
            : null,
        )
        .catch(() => null);
      throw error;
    }
  }

  /** The application can never be granted this number: it has left `requested` without it. */
  private async hasLetGo(applicationId: string, badgeNumber: string): Promise<boolean> {
    const { state } = await this.handler.load(applicationDecider, applicationStream(applicationId));
    return (
      state.status !== 'none' &&
      state.status !== 'requested' &&
      (!state.badge || badgeNumberOf(state.badge.number) !== badgeNumber)
    );
  }

  private onBadge(badge: string, command: BadgeCommand, context: CommandContext): Promise<CommandResult> {
    const { commandId: _, ...rest } = context;
    return this.handler.handle(badgeDecider, badge, command, { ...rest, missionId: command.missionId });
  }

  /** Forgets the person on each of their applications (refused while an accreditation is in force), then destroys the key. */
  async erase(
    missionId: string,
    personId: string,
    applicationIds: readonly string[],
    context: CommandContext,
  ): Promise<{ results: CommandResult[]; erasedAt: Date }> {
    const at = this.at();
    const by = context.actor?.userId ?? 'unknown';
    const applications = await Promise.all(applicationIds.map((id) => this.application(missionId, id)));
    for (const { state } of applications)
      if (state.personId !== personId) throw new NotFound(`there is no person ${personId} in this mission`);
    // Every application must accept the erasure before any is written: none may be left half forgotten.
    for (const { state } of applications) applicationDecider.decide({ type: 'ErasePerson', by, at }, state);
    const results: CommandResult[] = [];
    for (const applicationId of applicationIds)
      results.push(
        await this.handler.handle(
          completing({ by, at }),
          applicationStream(applicationId),
          { type: 'ErasePerson' },
          { ...context, missionId },
        ),
      );
    const { erasedAt } = await this.vault.erase(personId);
    return { results, erasedAt };
  }
}
