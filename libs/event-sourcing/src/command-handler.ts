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

const hashOf = (command: DomainCommand): string =>
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
  async load<State, Event extends DomainEvent>(
    decider: Pick<Decider<State, DomainCommand, Event>, 'evolve' | 'initialState'>,
    streamId: string,
  ): Promise<{ state: State; version: bigint; events: RecordedEvent[] }> {
    const events = (await this.store.readStream(streamId)).map((e) => this.upcasters.upcast(e));
    const state = events.reduce(
      (acc, e) => decider.evolve(acc, { type: e.type, data: e.data } as Event),
      decider.initialState(),
    );
    return { state, version: events.length === 0 ? -1n : events[events.length - 1].streamVersion, events };
  }

  async handle<State, Command extends DomainCommand, Event extends DomainEvent>(
    decider: Decider<State, Command, Event>,
    streamId: string,
    command: Command,
    context: CommandContext = {},
  ): Promise<CommandResult> {
    const commandId = context.commandId ?? this.newId();
    const firstId = deriveEventId(streamId, commandId, 0);
    const commandHash = hashOf(command);
    // Another writer moved the stream between our read and our append: read it again and decide again.
    return retry(
      async () => {
        const { state, version, events: history } = await this.load(decider, streamId);
        const earlier = history.filter((e) => e.metadata.commandId === commandId);
        if (earlier.some((e) => e.eventId === firstId)) {
          if (earlier[0].metadata.commandHash !== commandHash)
            throw new IdempotencyMismatch(`command ${commandId} was already used for a different request`);
          return {
            streamId,
            streamVersion: version,
            eventIds: earlier.map((e) => e.eventId),
            appended: false,
          };
        }

        const decided = decider.decide(command, state);
        if (decided.length === 0) return { streamId, streamVersion: version, eventIds: [], appended: false };

        const metadata: EventContext = {
          missionId: context.missionId,
          actor: context.actor,
          correlationId: context.correlationId ?? commandId,
          causationId: context.causationId ?? commandId,
          commandId,
          commandHash,
          occurredAt: this.now().toISOString(),
        };
        const events: NewEvent[] = decided.map((e, i) => ({
          eventId: deriveEventId(streamId, commandId, i),
          type: e.type,
          schemaVersion: e.schemaVersion ?? 1,
          data: e.data,
          metadata,
        }));
        const expected: ExpectedVersion = version < 0n ? 'no_stream' : version;
        const result = await this.store.appendToStream(streamId, events, expected);
        return {
          streamId,
          streamVersion: result.nextExpectedVersion,
          eventIds: result.events.map((e) => e.eventId),
          appended: result.appended,
        };
      },
      { attempts: this.maxAttempts, retryOn: (error) => error instanceof VersionConflict },
    );
  }
}
