/**
 * Feeds a projection from the store's $all, after its checkpoint, a page at a time. Each page is
 * applied in ONE transaction together with the checkpoint, so a crash mid-page leaves neither.
 * A page is always read before its transaction opens: on the embedded database the store and the
 * read models share one connection, and a transaction waiting on another query would wait forever.
 *
 * A page that fails is applied again in one transaction, each event under a savepoint: an event that
 * fails for good is parked (dead-letters.ts) in the transaction that moves the checkpoint past it, and
 * the others apply. A transient failure (the connection, a serialization conflict) parks nothing: the
 * page is tried again from the checkpoint, as before.
 */
import type { DataSource } from 'typeorm';
import type { GlobalPosition, RecordedEvent } from '../envelope.js';
import type { EventStore } from '../event-store.js';
import { Upcasters } from '../upcasting.js';
import {
  CheckpointMoved,
  claimCheckpoint,
  createCheckpointsTable,
  deleteCheckpoint,
  loadCheckpoint,
  saveCheckpoint,
} from './checkpoints.js';
import { createDeadLettersTable, discardDeadLetters, park, type DeadLetter } from './dead-letters.js';
import type { Projection } from './projection.js';
import { followInPages } from './ready-batches.js';
import { isTransientFailure } from './transient-failure.js';

export type ProjectionRunnerOptions = {
  /** Events per transaction. */
  readonly pageSize?: number;
  readonly upcasters?: Upcasters;
  /** Told of each event parked, once its transaction has committed. */
  readonly onParked?: (letter: DeadLetter) => void;
};

export type RebuildProgress = { readonly done: number; readonly total: number };

export type RebuildOptions = {
  readonly onProgress?: (progress: RebuildProgress) => void;
  /** Carry on with a rebuild that was interrupted, from its checkpoint; without one, start a new rebuild. */
  readonly resume?: boolean;
};

export class ProjectionRunner {
  private readonly pageSize: number;
  private readonly upcasters: Upcasters;
  private readonly onParked: (letter: DeadLetter) => void;

  constructor(
    private readonly store: EventStore,
    private readonly dataSource: DataSource,
    private readonly projection: Projection,
    options: ProjectionRunnerOptions = {},
  ) {
    this.pageSize = options.pageSize ?? 500;
    this.upcasters = options.upcasters ?? new Upcasters();
    this.onParked = options.onParked ?? (() => undefined);
  }

  /** Applies everything after the checkpoint; returns how many events were applied (parked ones not counted). */
  async runUntilCaughtUp(): Promise<number> {
    return this.catchUp(() => undefined);
  }

  /** Catches up, then follows $all until the signal aborts. Rejects when the projection throws. */
  async start(signal: AbortSignal): Promise<void> {
    await this.prepare();
    while (!signal.aborted) {
      try {
        await this.follow(await this.checkpoint(), signal);
      } catch (error) {
        if (!(error instanceof CheckpointMoved)) throw error;
      }
    }
  }

  /**
   * Empties the read model and its checkpoint in one transaction, then applies every event again,
   * reporting progress against the events up to the head as it was when the rebuild began.
   * Returns how many events this call applied.
   */
  async rebuild(options: RebuildOptions = {}): Promise<number> {
    await this.prepare();
    const marker = `rebuild:${this.projection.name}`;
    let target = options.resume ? await loadCheckpoint(this.dataSource.manager, marker) : null;
    if (target === null) {
      const head = await this.store.headPosition();
      await this.dataSource.transaction(async (tx) => {
        await this.projection.reset(tx);
        await deleteCheckpoint(tx, this.projection.name);
        await discardDeadLetters(tx, this.projection.name); // applied again below, parked again if they still fail
        await saveCheckpoint(tx, marker, head); // marks the rebuild as under way, and where it aims
      });
      target = head;
    }
    const from = await this.checkpoint();
    const categories = this.projection.categories;
    let done = from ? await this.store.countEvents({ upTo: from, categories }) : 0;
    const total = done + (await this.store.countEvents({ after: from, upTo: target, categories }));
    options.onProgress?.({ done, total });
    const applied = await this.catchUp((count) => {
      done += count;
      options.onProgress?.({ done, total: Math.max(total, done) });
    });
    await deleteCheckpoint(this.dataSource.manager, marker);
    return applied;
  }

  private async catchUp(onPage: (applied: number) => void): Promise<number> {
    await this.prepare();
    let applied = 0;
    for (;;) {
      const after = await this.checkpoint();
      const page = await this.store.readAll({
        after: after ?? undefined,
        maxCount: this.pageSize,
        categories: this.projection.categories,
      });
      if (page.length === 0) return applied;
      let parked: number;
      try {
        parked = await this.applyPage(after, page);
      } catch (error) {
        if (error instanceof CheckpointMoved) continue;
        throw error;
      }
      applied += page.length - parked;
      onPage(page.length);
      if (page.length < this.pageSize) return applied;
    }
  }

  private async follow(from: GlobalPosition | null, signal: AbortSignal): Promise<void> {
    let after = from;
    const pages = followInPages(this.store, {
      after: from,
      categories: this.projection.categories,
      pageSize: this.pageSize,
      signal,
    });
    for await (const page of pages) {
      if (signal.aborted) return;
      await this.applyPage(after, page, signal);
      after = page[page.length - 1].globalPosition;
    }
  }

  /** Returns how many of the page's events were parked. */
  private async applyPage(
    expected: GlobalPosition | null,
    page: readonly RecordedEvent[],
    signal?: AbortSignal,
  ): Promise<number> {
    try {
      await this.dataSource.transaction(async (tx) => {
        await claimCheckpoint(tx, this.projection.name, expected);
        for (const event of page) await this.projection.apply(this.upcasters.upcast(event), tx);
        await saveCheckpoint(tx, this.projection.name, page[page.length - 1].globalPosition);
      });
      return 0;
    } catch (error) {
      // A failure while stopping says nothing about the events: the pool may be closing under us.
      if (error instanceof CheckpointMoved || isTransientFailure(error) || signal?.aborted) throw error;
    }
    const parked = await this.applyParkingFailures(expected, page, signal);
    parked.forEach(this.onParked);
    return parked.length;
  }

  /** The page again, one savepoint per event, parking those that still fail. */
  private applyParkingFailures(
    expected: GlobalPosition | null,
    page: readonly RecordedEvent[],
    signal?: AbortSignal,
  ): Promise<DeadLetter[]> {
    return this.dataSource.transaction(async (tx) => {
      await claimCheckpoint(tx, this.projection.name, expected);
      // A deferred constraint would fail only at COMMIT, for the whole page: here it fails with its event.
      await tx.query('SET CONSTRAINTS ALL IMMEDIATE');
      const parked: DeadLetter[] = [];
      for (const event of page) {
        await tx.query('SAVEPOINT observa_event');
        try {
          await this.projection.apply(this.upcasters.upcast(event), tx);
          await tx.query('RELEASE SAVEPOINT observa_event');
        } catch (error) {
          if (isTransientFailure(error) || signal?.aborted) throw error;
          await tx.query('ROLLBACK TO SAVEPOINT observa_event');
          parked.push(await park(tx, { projection: this.projection.name, event, origin: '$all', error }));
        }
      }
      await saveCheckpoint(tx, this.projection.name, page[page.length - 1].globalPosition);
      return parked;
    });
  }

  private checkpoint(): Promise<GlobalPosition | null> {
    return loadCheckpoint(this.dataSource.manager, this.projection.name);
  }

  private async prepare(): Promise<void> {
    await createCheckpointsTable(this.dataSource);
    await createDeadLettersTable(this.dataSource);
  }
}
