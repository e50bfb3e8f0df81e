/**
 * Badge numbers are unique per mission. One application cannot see the others, so a badge number is
 * reserved on a stream of its own (`badge-<uuid of mission and number>`) before it is granted: the
 * store's optimistic append makes two grants of the same number race to one winner.
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
export type ReserveBadge = {
  readonly type: 'ReserveBadge';
  readonly missionId: string;
  readonly badgeNumber: string;
  readonly applicationId: string;
  readonly at: string;
};

/** The named error the edge turns into 409. */
export class BadgeNumberTaken extends Error {
  override readonly name = 'BadgeNumberTaken';
}

/** The application holding the number, or null. */
export type BadgeState = string | null;

export const badgeDecider: Decider<BadgeState, ReserveBadge, BadgeReserved> = {
  initialState: () => null,
  evolve: (_state, event) => event.data.applicationId,
  decide: (command, holder) => {
    if (holder === command.applicationId) return [];
    if (holder !== null)
      throw new BadgeNumberTaken(
        `badge number ${command.badgeNumber} is already held by another observer of this mission`,
      );
    const { missionId, badgeNumber, applicationId, at } = command;
    return [{ type: 'BadgeReserved', data: { missionId, badgeNumber, applicationId, at } }];
  },
};
