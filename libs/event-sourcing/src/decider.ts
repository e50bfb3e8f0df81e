/** The business of an aggregate as two pure functions and a starting state (Emmett's Decider). */
import type { JsonObject } from './envelope.js';

export type DomainEvent = {
  readonly type: string;
  readonly data: JsonObject;
  readonly schemaVersion?: number;
};
export type DomainCommand = { readonly type: string };

export type Decider<State, Command extends DomainCommand, Event extends DomainEvent> = {
  readonly decide: (command: Command, state: State) => Event[];
  readonly evolve: (state: State, event: Event) => State;
  readonly initialState: () => State;
};
