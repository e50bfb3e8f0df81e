/** Errors as values with names; the HTTP edge maps each to a status once. */

export class VersionConflict extends Error {
  override readonly name = 'VersionConflict';
  constructor(
    readonly streamId: string,
    readonly expected: string,
    readonly actual: bigint | 'no_stream',
  ) {
    super(`stream ${streamId} was expected at ${expected} but is at ${actual}`);
  }
}

/** The event(s) cannot be stored: not JSON, empty type, too large. Nothing was written. */
export class InvalidEvent extends Error {
  override readonly name = 'InvalidEvent';
}

/** Some, but not all, of the event ids of an append are already in the stream. */
export class IdempotencyMismatch extends Error {
  override readonly name = 'IdempotencyMismatch';
}

export class DomainRuleBroken extends Error {
  override readonly name = 'DomainRuleBroken';
}

export class NotFound extends Error {
  override readonly name = 'NotFound';
}

export class Forbidden extends Error {
  override readonly name = 'Forbidden';
}
