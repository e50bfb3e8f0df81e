/** The shape every event has once it is in the store (DESIGN.md §6). */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export type Actor = { readonly userId: string; readonly role: string };

/** What the writer says about an event; the store adds hash and previousHash. */
export type EventContext = {
  readonly missionId?: string;
  readonly actor?: Actor;
  readonly correlationId?: string;
  readonly causationId?: string;
  readonly commandId?: string;
  /** Fingerprint of the command, so a command id reused for a different request is refused. */
  readonly commandHash?: string;
  readonly occurredAt: string;
};

export type EventMetadata = EventContext & {
  /** sha256 of this event's content chained to the previous event of its stream. */
  readonly hash: string;
  readonly previousHash: string | null;
};

/**
 * A place in $all. Ordered by commit first, then prepare — as EventStoreDB's Position.
 * In Postgres, commit is the writing transaction's id (xid8) and prepare the row's sequence number.
 */
export type GlobalPosition = { readonly commit: bigint; readonly prepare: bigint };

export const START: GlobalPosition = { commit: 0n, prepare: 0n };

export const comparePositions = (a: GlobalPosition, b: GlobalPosition): number =>
  a.commit === b.commit ? Number(a.prepare - b.prepare) || 0 : a.commit < b.commit ? -1 : 1;

export const positionToString = (p: GlobalPosition): string => `${p.commit}/${p.prepare}`;

export const positionFromString = (text: string): GlobalPosition => {
  const match = /^(\d+)\/(\d+)$/.exec(text);
  if (!match) throw new Error(`not a global position: ${text}`);
  return { commit: BigInt(match[1]), prepare: BigInt(match[2]) };
};

/** An event on its way into the store. */
export type NewEvent = {
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: JsonObject;
  readonly metadata: EventContext;
};

/** An event as the store keeps it. */
export type RecordedEvent = {
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly streamId: string;
  readonly streamVersion: bigint;
  readonly globalPosition: GlobalPosition;
  readonly data: JsonObject;
  readonly metadata: EventMetadata;
};

/** `observer-1234` → `observer`: the part before the first dash, as EventStoreDB's $by_category reads it. */
export const categoryOf = (streamId: string): string => {
  const dash = streamId.indexOf('-');
  return dash < 0 ? streamId : streamId.slice(0, dash);
};
