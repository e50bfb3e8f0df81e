/**
 * $all shows an event only once every transaction older than it has finished, on the whole server
 * (see libs/eventstore-postgres/src/schema.ts). Another session's open transaction can therefore hide
 * an append from $all for a moment after it returned. Tests that append and then read $all at once
 * use this wrapper: each append returns only when its events are visible to readers of $all.
 */
import { comparePositions, type EventStore } from '#event-sourcing';

export const readYourWrites = <Store extends EventStore>(store: Store, timeoutMs = 10_000): Store =>
  new Proxy(store, {
    get(target, property, receiver) {
      if (property !== 'appendToStream') {
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      }
      return async (...args: Parameters<EventStore['appendToStream']>) => {
        const result = await target.appendToStream(...args);
        const last = result.events.at(-1)!.globalPosition;
        const deadline = Date.now() + timeoutMs;
        while (comparePositions(await target.headPosition(), last) < 0) {
          if (Date.now() > deadline)
            throw new Error(`append at ${last.commit}/${last.prepare} never became visible`);
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        return result;
      };
    },
  });
