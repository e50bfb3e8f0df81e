/** Old events are never rewritten; an upcaster lifts one schema version of one type to the next, on read. */
import type { JsonObject, RecordedEvent } from './envelope.js';

export type Upcaster = {
  readonly type: string;
  /** The version this upcaster reads; it produces fromVersion + 1. */
  readonly fromVersion: number;
  readonly upcast: (data: JsonObject) => JsonObject;
};

export class Upcasters {
  private readonly byKey = new Map<string, Upcaster>();

  constructor(upcasters: readonly Upcaster[] = []) {
    for (const upcaster of upcasters) {
      const key = `${upcaster.type}@${upcaster.fromVersion}`;
      if (this.byKey.has(key)) throw new Error(`two upcasters for ${key}`);
      this.byKey.set(key, upcaster);
    }
  }

  /** Lifts an event through every step registered for it; the stored event is untouched. */
  upcast(event: RecordedEvent): RecordedEvent {
    let current = event;
    for (;;) {
      const step = this.byKey.get(`${current.type}@${current.schemaVersion}`);
      if (!step) return current;
      current = { ...current, schemaVersion: current.schemaVersion + 1, data: step.upcast(current.data) };
    }
  }
}
