/**
 * What the clients were told: every write acknowledged with a 2xx (its Idempotency-Key, the id and
 * event ids it was answered with), and every refusal on the way (503s by second, other failures).
 * The read models are counted against this, and nothing else: a write counts once it was answered.
 */
export type WriteKind = 'application' | 'mission';

export type Acknowledged = {
  readonly kind: WriteKind;
  readonly key: string;
  readonly id: string;
  readonly eventIds: readonly string[];
};

/** A key answered twice with different ids: the same write applied twice. */
export type Contradiction = { readonly key: string; readonly ids: readonly string[] };

export class Ledger {
  private readonly byKey = new Map<string, Acknowledged>();
  readonly contradictions: Contradiction[] = [];
  /** Whole seconds (since the epoch) in which at least one request was answered 503. */
  private readonly refusedSeconds = new Set<number>();
  /** … in which at least one request got no answer at all (the gateway itself down). */
  private readonly unansweredSeconds = new Set<number>();
  /** Answers that were not 2xx, by status (0: no answer: connection refused, reset, timed out). */
  readonly failures = new Map<number, number>();
  requests = 0;
  /** Answers with `idempotent-replayed: true`: a retry of a write that had been done. */
  replayed = 0;
  /** Tokens the gateway stopped accepting (401 on a live token): each needed a new login. */
  tokensRefused = 0;

  acknowledge(write: Acknowledged, replayed: boolean): void {
    if (replayed) this.replayed++;
    const before = this.byKey.get(write.key);
    if (before && before.id !== write.id)
      this.contradictions.push({ key: write.key, ids: [before.id, write.id] });
    if (!before) this.byKey.set(write.key, write);
  }

  failed(status: number, at = Date.now()): void {
    this.failures.set(status, (this.failures.get(status) ?? 0) + 1);
    if (status === 503) this.refusedSeconds.add(Math.floor(at / 1000));
    if (status === 0) this.unansweredSeconds.add(Math.floor(at / 1000));
  }

  /** How many seconds saw a request go unanswered (connection refused or reset, timed out). */
  get secondsUnanswered(): number {
    return this.unansweredSeconds.size;
  }

  /** How many seconds saw a 503. */
  get secondsRefused(): number {
    return this.refusedSeconds.size;
  }

  acknowledged(kind?: WriteKind): Acknowledged[] {
    return [...this.byKey.values()].filter((write) => !kind || write.kind === kind);
  }

  idsOf(kind: WriteKind): Set<string> {
    return new Set(this.acknowledged(kind).map((write) => write.id));
  }

  eventIds(kind?: WriteKind): string[] {
    return this.acknowledged(kind).flatMap((write) => write.eventIds);
  }
}
