/**
 * Compile-time checks that a producer's events are what it publishes: a check file beside the
 * producer's domain states `Holds<Matches<ItsEvent['data'], PublishedMessage>>` for each published
 * event, so changing one side without the other fails `npm run typecheck`, and the error names what differs.
 */

/** Compiles only when its argument is `true`. */
export type Holds<Check extends true> = Check;

/** The same union on both sides; otherwise what one side lacks. */
export type Same<Written, Declared> = [Written] extends [Declared]
  ? [Declared] extends [Written]
    ? true
    : { declaredButNotWritten: Exclude<Declared, Written> }
  : { writtenButNotDeclared: Exclude<Written, Declared> };

/** Every declared type is one the producer writes (it may write others it does not publish). */
export type Writes<Written, Declared> = [Declared] extends [Written]
  ? true
  : { declaredButNotWritten: Exclude<Declared, Written> };

/** Exactly the message's fields, each holding what the message accepts; otherwise what differs. */
export type Matches<Data, Message> = [Data] extends [Message]
  ? Same<keyof Data, keyof Message>
  : { notAMessageOfItsType: Data };
