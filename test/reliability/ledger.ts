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
  /** When requests were answered 503, and when they got no answer at all (the gateway itself down). */
  private readonly refusedAt: number[] = [];
  private readonly unansweredAt: number[] = [];
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
    if (status === 503) this.refusedAt.push(at);
    if (status === 0) this.unansweredAt.push(at);
  }

  /** How long requests were refused with 503: from the first to the last refusal of each outage. */
  get secondsRefused(): number {
    return outageSeconds(this.refusedAt);
  }

  /** How long requests went unanswered (connection refused or reset, timed out), counted the same way. */
  get secondsUnanswered(): number {
    return outageSeconds(this.unansweredAt);
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

/** Refusals less than this apart are one outage (clients wait up to 2 s between retries). */
const SAME_OUTAGE_MS = 3000;

/** The length of the outages the moments tell of, each from its first to its last moment, in seconds (0.1). */
export const outageSeconds = (moments: readonly number[]): number => {
  const sorted = [...moments].sort((a, b) => a - b);
  let total = 0;
  for (let i = 0, start = sorted[0]; i < sorted.length; i++)
    if (i === sorted.length - 1 || sorted[i + 1] - sorted[i] > SAME_OUTAGE_MS) {
      total += sorted[i] - start;
      start = sorted[i + 1];
    }
  return Math.round(total / 100) / 10;
};
