/** given / when / then for deciders: specs read as the business talks. */
import { expect } from '@jest/globals';
import type { Decider, DomainCommand, DomainEvent } from '#event-sourcing';

export const specFor = <State, Command extends DomainCommand, Event extends DomainEvent>(
  decider: Decider<State, Command, Event>,
) => ({
  given: (history: readonly Event[]) => ({
    when: (command: Command) => {
      const run = () => decider.decide(command, history.reduce(decider.evolve, decider.initialState()));
      return {
        then: (expected: readonly Event[]) => expect(run()).toEqual(expected),
        thenThrows: (error: new (...args: never[]) => Error, message?: string | RegExp) => {
          expect(run).toThrow(error);
          if (message) expect(run).toThrow(message);
        },
        thenNothingHappens: () => expect(run()).toEqual([]),
      };
    },
  }),
});
