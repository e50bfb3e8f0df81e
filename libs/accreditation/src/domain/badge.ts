/**
 * Badge numbers are unique per mission. One application cannot see the others, so a badge number is
 * reserved on a stream of its own (`badge-<uuid of mission and number>`) before it is granted: the
 * store's optimistic append makes two grants of the same number race to one winner. A reservation
 * binds the number to one application; it is void once that application can no longer be granted the
 * number (the rule, and why it is safe: grant-accreditation/grant-accreditation.ts).
 */
import type { Decider } from '#event-sourcing';

export type BadgeReserved = {
  readonly type: 'BadgeReserved';
  readonly data: {
    readonly missionId: string;
    readonly badgeNumber: string;
    readonly applicationId: string;
    readonly at: string;
  };
};
export type BadgeReleased = {
  readonly type: 'BadgeReleased';
  readonly data: {
    readonly missionId: string;
    readonly badgeNumber: string;
    readonly applicationId: string;
    readonly reason: string;
    readonly at: string;
  };
};
export type BadgeEvent = BadgeReserved | BadgeReleased;

type BadgeFacts = {
  readonly missionId: string;
  readonly badgeNumber: string;
  readonly at: string;
  /**
   * An application that was read to have let go of the number: it left `requested` without being
   * granted it, so its grant can never happen. Read from its stream before deciding.
   */
  readonly letGo?: string;
};
export type ReserveBadge = BadgeFacts & { readonly type: 'ReserveBadge'; readonly applicationId: string };
export type ReleaseBadge = BadgeFacts & { readonly type: 'ReleaseBadge'; readonly applicationId: string };
export type BadgeCommand = ReserveBadge | ReleaseBadge;

/** The named error the edge turns into 409. */
export class BadgeNumberTaken extends Error {
  override readonly name = 'BadgeNumberTaken';
}

/** The application holding the number, or null. */
export type BadgeState = string | null;

const NEVER_GRANTED = 'the application it was reserved for was not granted it';

export const badgeDecider: Decider<BadgeState, BadgeCommand, BadgeEvent> = {
  initialState: () => null,
  evolve: (_state, event) => (event.type === 'BadgeReserved' ? event.data.applicationId : null),
  decide: (command, holder) => {
    const { missionId, badgeNumber, at } = command;
    if (command.type === 'ReleaseBadge')
      return holder === command.applicationId && command.letGo === holder
        ? [
            {
              type: 'BadgeReleased',
              data: { missionId, badgeNumber, applicationId: holder, reason: NEVER_GRANTED, at },
            },
          ]
        : [];
    const { applicationId } = command;
    if (holder === applicationId) return [];
    const reserved: BadgeReserved = {
      type: 'BadgeReserved',
      data: { missionId, badgeNumber, applicationId, at },
    };
    if (holder === null) return [reserved];
    if (command.letGo === holder)
      return [
        {
          type: 'BadgeReleased',
          data: { missionId, badgeNumber, applicationId: holder, reason: NEVER_GRANTED, at },
        },
        reserved,
      ];
    throw new BadgeNumberTaken(
      `badge number ${badgeNumber} is already held by another observer of this mission`,
    );
  },
};
