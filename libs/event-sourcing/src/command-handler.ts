/**
 * The command path: load the stream, fold it, decide, append at the version that was read.
 * A version conflict means someone else wrote in between: read again and decide again, a bounded
 * number of times. Event ids derive from the command id, so a retried command appends nothing new.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Decider, DomainCommand, DomainEvent } from './decider.js';
import type { Actor, EventContext, NewEvent, RecordedEvent } from './envelope.js';
import { retry } from './backoff.js';
import { IdempotencyMismatch, VersionConflict } from './errors.js';
import type { EventStore, ExpectedVersion } from './event-store.js';
import { deriveEventId } from './event-id.js';
import { canonicalJson } from './hash-chain.js';
import { Upcasters } from './upcasting.js';

/** The fingerprint of a request: a command id reused for a different request is refused by it. */
export const commandHashOf = (command: DomainCommand): string =>
  createHash('sha256').update(canonicalJson(command)).digest('hex').slice(0, 32);

export type CommandContext = {
  readonly commandId?: string;
  readonly missionId?: string;
  readonly actor?: Actor;
  readonly correlationId?: string;
  readonly causationId?: string;
};

export type CommandResult = {
  readonly streamId: string;
  /** Revision of the stream's last event after the command (-1: the stream is still empty). */
  readonly streamVersion: bigint;
  readonly eventIds: readonly string[];
  /** false when this command id had already been handled: nothing new was written. */
  readonly appended: boolean;
};

export type CommandHandlerOptions = {
  readonly now?: () => Date;
  readonly newId?: () => string;
  readonly upcasters?: Upcasters;
  readonly maxAttempts?: number;
};

/** Folds a stream into state; `version` is -1 for a stream with no events. */
export const loadStream = async <State, Event extends DomainEvent>(
  store: EventStore,
  decider: Pick<Decider<State, DomainCommand, Event>, 'evolve' | 'initialState'>,
  streamId: string,
  upcasters: Upcasters = new Upcasters(),
): Promise<{ state: State; version: bigint; events: RecordedEvent[] }> => {
  const events = (await store.readStream(streamId)).map((e) => upcasters.upcast(e));
  const state = events.reduce(
    (acc, e) => decider.evolve(acc, { type: e.type, data: e.data } as Event),
    decider.initialState(),
  );
  return { state, version: events.length === 0 ? -1n : events[events.length - 1].streamVersion, events };
};

/**
 * What a command already wrote to a stream, if its id was handled there before: the same answer again
 * (nothing appended), or IdempotencyMismatch when the id came with a different request.
 */
export const earlierAnswer = (
  streamId: string,
  history: readonly RecordedEvent[],
  commandId: string,
  commandHash: string,
): CommandResult | undefined => {
  const earlier = history.filter((e) => e.metadata.commandId === commandId);
  if (!earlier.some((e) => e.eventId === deriveEventId(streamId, commandId, 0))) return undefined;
  if (earlier[0].metadata.commandHash !== commandHash)
    throw new IdempotencyMismatch(`command ${commandId} was already used for a different request`);
  const version = history.length === 0 ? -1n : history[history.length - 1].streamVersion;
  return { streamId, streamVersion: version, eventIds: earlier.map((e) => e.eventId), appended: false };
};

/**
 * Appends what was decided at the version the decision was read at, each event stamped with the
 * request's context; ids derive from the command id, so the same command appends nothing twice.
 * A VersionConflict means someone wrote in between: the caller reads and decides again.
 */
export const appendDecided = async (
  store: EventStore,
  streamId: string,
  version: bigint,
  decided: readonly DomainEvent[],
  stamp: {
    readonly context: CommandContext;
    readonly commandId: string;
    readonly commandHash: string;
    readonly occurredAt: string;
  },
): Promise<CommandResult> => {
  const { context, commandId, commandHash, occurredAt } = stamp;
  const metadata: EventContext = {
    missionId: context.missionId,
    actor: context.actor,
    correlationId: context.correlationId ?? commandId,
    causationId: context.causationId ?? commandId,
    commandId,
    commandHash,
    occurredAt,
  };
  const events: NewEvent[] = decided.map((e, i) => ({
    eventId: deriveEventId(streamId, commandId, i),
    type: e.type,
    schemaVersion: e.schemaVersion ?? 1,
    data: e.data,
    metadata,
  }));
  const expected: ExpectedVersion = version < 0n ? 'no_stream' : version;
  const result = await store.appendToStream(streamId, events, expected);
  return {
    streamId,
    streamVersion: result.nextExpectedVersion,
    eventIds: result.events.map((e) => e.eventId),
    appended: result.appended,
  };
};

export class CommandHandler {
  private readonly now: () => Date;
  private readonly newId: () => string;
  private readonly upcasters: Upcasters;
  private readonly maxAttempts: number;

  constructor(
    private readonly store: EventStore,
    options: CommandHandlerOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.newId = options.newId ?? randomUUID;
    this.upcasters = options.upcasters ?? new Upcasters();
    this.maxAttempts = options.maxAttempts ?? 5;
  }

  /** Folds a stream into state; `version` is -1 for a stream with no events. */
  /** Folds a stream into state; `version` is -1 for a stream with no events. */
  load<State, Event extends DomainEvent>(
    decider: Pick<Decider<State, DomainCommand, Event>, 'evolve' | 'initialState'>,
    streamId: string,
  ): Promise<{ state: State; version: bigint; events: RecordedEvent[] }> {
    return loadStream(this.store, decider, streamId, this.upcasters);
  }

  /**
   * `options.request` is what identifies the request for idempotency when the command carries more
   * than the caller asked (the time, who asks): a retry at another moment is still the same request.
   */
  async handle<State, Command extends DomainCommand, Event extends DomainEvent>(
    decider: Decider<State, Command, Event>,
    streamId: string,
    command: Command,
    context: CommandContext = {},
    options: { readonly request?: DomainCommand } = {},
  ): Promise<CommandResult> {
    const commandId = context.commandId ?? this.newId();
    const commandHash = commandHashOf(options.request ?? command);
    // Another writer moved the stream between our read and our append: read it again and decide again.
    return retry(
      async () => {
        const { state, version, events: history } = await this.load(decider, streamId);
        const earlier = earlierAnswer(streamId, history, commandId, commandHash);
        if (earlier) return earlier;

        const decided = decider.decide(command, state);
        if (decided.length === 0) return { streamId, streamVersion: version, eventIds: [], appended: false };
        return appendDecided(this.store, streamId, version, decided, {
          context,
          commandId,
          commandHash,
          occurredAt: this.now().toISOString(),
        });
      },
      { attempts: this.maxAttempts, retryOn: (error) => error instanceof VersionConflict },
    );
  }
}
