/**
 * Grant accreditation: the host election body granted the observer a badge. Load the application,
 * decide the grant, reserve the badge number for the mission, append the grant, answer what was written.
 *
 * Badge numbers are unique per mission and one application cannot see the others, so the number is
 * reserved first on a stream of its own (domain/badge.ts). That is two streams and the store has no
 * transaction across them. What happens when the second append (the application's grant) does not
 * land, said here and nowhere else:
 * - A reservation binds the number to ONE application and is void once that application can no
 *   longer be granted it: it has left `requested` without this number (no status leads back).
 * - The application's append loses a race (VersionConflict): the grant is decided again on what won.
 *   If it still applies, it is appended (the reservation is already ours: nothing more on the badge).
 * - The grant is refused, or the append fails for any other reason (the database went away, the
 *   process is told to stop): if the reservation is void, it is released at once; if the application
 *   is still `requested`, the reservation stays with it, because its grant may still happen (a retry,
 *   or a concurrent request for the same application, would otherwise grant a number nobody holds).
 *   The retry of that grant, with the same Idempotency-Key or another, finds the reservation its own
 *   and appends only the grant; another application asking for the number is refused (409) until
 *   the holder's reservation is void, and then takes it over (BadgeReleased, BadgeReserved).
 * - The process dies between the two appends: the same as the last case, as nothing ran after it.
 * So a refused grant never keeps a number from anyone, and no number is ever granted twice.
 */
import { randomUUID } from 'node:crypto';
import {
  appendDecided,
  commandHashOf,
  earlierAnswer,
  loadStream,
  VersionConflict,
  type CommandContext,
  type EventStore,
} from '#event-sourcing';
import { loadApplication } from '../application-stream.js';
import type { GrantAccreditation as GrantOnApplication } from '../domain/application.commands.js';
import { applicationDecider, decide } from '../domain/application.decide.js';
import { badgeDecider, type BadgeCommand } from '../domain/badge.js';
import { badgeNumberOf } from '../domain/badge-number.js';
import { applicationStream, badgeStream } from '../identities.js';
import { receiptOf, type WriteReceipt } from '#contracts';

export type GrantAccreditation = {
  readonly missionId: string;
  readonly applicationId: string;
  readonly badgeNumber: string;
  readonly validFrom: string;
  readonly validTo: string;
  readonly conditions: readonly string[];
  /** When it is granted. */
  readonly at: string;
  /** Who asks, and the request's id: a retry of the same request writes nothing new. */
  readonly context: CommandContext;
};

/** Races lost to other writers of the same streams before the grant gives up with VersionConflict. */
const MAX_ATTEMPTS = 5;

export const grantAccreditation = async (
  store: EventStore,
  grant: GrantAccreditation,
): Promise<WriteReceipt> => {
  const { missionId, applicationId, at } = grant;
  const context = { ...grant.context, missionId };
  const badgeNumber = badgeNumberOf(grant.badgeNumber);
  // What identifies the request: without the time, so that a retry at another moment is the same one.
  const request = {
    type: 'GrantAccreditation',
    badgeNumber,
    validFrom: grant.validFrom,
    validTo: grant.validTo,
    conditions: grant.conditions,
  } as const;
  const command: GrantOnApplication = { ...request, at };
  const commandId = context.commandId ?? randomUUID();
  const commandHash = commandHashOf(request);
  const stream = applicationStream(applicationId);
  const badge = badgeStream(missionId, badgeNumber);
  let holding = false;
  try {
    for (let attempt = 1; ; attempt++) {
      const application = await loadApplication(store, missionId, applicationId);
      const earlier = earlierAnswer(stream, application.events, commandId, commandHash);
      if (earlier) return receiptOf(applicationId, earlier);
      // Deciding is pure: a grant the application cannot take is refused before its number is reserved.
      const granted = decide(command, application.state);

      const { state: holder, version: badgeVersion } = await loadStream(store, badgeDecider, badge);
      // The holder's stream is read only when another application holds the number.
      const letGo =
        holder !== null && holder !== applicationId && (await hasLetGo(store, holder, badgeNumber));
      const reserve: BadgeCommand = {
        type: 'ReserveBadge',
        missionId,
        badgeNumber,
        applicationId,
        at,
        ...(letGo && { letGo: holder }),
      };
      const reservation = badgeDecider.decide(reserve, holder);
      if (reservation.length > 0)
        try {
          await appendOnBadge(store, badge, badgeVersion, reserve, reservation, context, at);
        } catch (error) {
          if (error instanceof VersionConflict && attempt < MAX_ATTEMPTS) continue;
          throw error;
        }
      holding = true;

      try {
        const result = await appendDecided(store, stream, application.version, granted, {
          context,
          commandId,
          commandHash,
          occurredAt: at,
        });
        return receiptOf(applicationId, result);
      } catch (error) {
        if (error instanceof VersionConflict && attempt < MAX_ATTEMPTS) continue;
        throw error;
      }
    }
  } catch (error) {
    // Best effort: a void reservation left behind is taken over all the same when the number is asked for.
    if (holding)
      await releaseIfVoid(store, badge, missionId, badgeNumber, applicationId, context, at).catch(() => null);
    throw error;
  }
};

/** The application can never be granted this number: it has left `requested` without it. */
const hasLetGo = async (store: EventStore, applicationId: string, badgeNumber: string): Promise<boolean> => {
  const { state } = await loadStream(store, applicationDecider, applicationStream(applicationId));
  return (
    state.status !== 'none' &&
    state.status !== 'requested' &&
    (!state.badge || badgeNumberOf(state.badge.number) !== badgeNumber)
  );
};

const releaseIfVoid = async (
  store: EventStore,
  badge: string,
  missionId: string,
  badgeNumber: string,
  applicationId: string,
  context: CommandContext,
  at: string,
): Promise<void> => {
  if (!(await hasLetGo(store, applicationId, badgeNumber))) return;
  const { state: holder, version } = await loadStream(store, badgeDecider, badge);
  const release: BadgeCommand = {
    type: 'ReleaseBadge',
    missionId,
    badgeNumber,
    applicationId,
    at,
    letGo: applicationId,
  };
  const released = badgeDecider.decide(release, holder);
  if (released.length > 0) await appendOnBadge(store, badge, version, release, released, context, at);
};

/**
 * Whether to write on the badge is its state alone (a number released and reserved again is a new
 * write), so its events' ids do not derive from the request's id.
 */
const appendOnBadge = (
  store: EventStore,
  badge: string,
  version: bigint,
  command: BadgeCommand,
  events: ReturnType<typeof badgeDecider.decide>,
  context: CommandContext,
  at: string,
) => {
  const { commandId: _, ...rest } = context;
  return appendDecided(store, badge, version, events, {
    context: rest,
    commandId: randomUUID(),
    commandHash: commandHashOf(command),
    occurredAt: at,
  });
};
