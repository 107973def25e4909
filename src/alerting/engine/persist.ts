import type { AlertStore } from '../store.js';
import type { Pass } from './context.js';
import { trackerJson, type Tracker, type TrackerTable } from './trackers.js';

/** Condition memory (rate windows, last values) is saved in rounds this far apart, not with every sample. */
export const CHECKPOINT_MS = 10 * 60_000;
/** The smallest slice of a round written on one tick. */
const MIN_SLICE = 200;

/**
 * The persistence stage for trackers. A state change is written at the end of its pass (in the pass's one
 * transaction); condition memory that moves with every sample without changing any state is saved in
 * checkpoint rounds spread over ticks, and all of it on stop. After a crash an alert's state is what it was;
 * condition memory may be a round old (a rate window restarts, as after a counter reset).
 */
export class TrackerWriter {
  /** Trackers whose condition memory changed since they were last saved. */
  private readonly memory = new Set<Tracker>();
  private round: Tracker[] = [];
  private roundStart = Number.NEGATIVE_INFINITY;
  private slice = MIN_SLICE;

  constructor(private readonly store: AlertStore, private readonly trackers: TrackerTable) {}

  memoryChanged(tr: Tracker): void { this.memory.add(tr); }

  /** The end of a pass: rows of forgotten trackers go, changed trackers are written. */
  flush(pass: Pass, now: number): void {
    for (const tr of pass.removed) {
      this.memory.delete(tr);
      // A tracker made again under the same fingerprint in this pass is written below.
      if (tr.stored) { this.store.deleteTracker(tr.fingerprint); tr.stored = false; }
    }
    for (const tr of pass.changed) if (this.live(tr)) this.save(tr, now);
  }

  /**
   * A tick: the next slice of the current checkpoint round, and a new round every {@link CHECKPOINT_MS}. A round is
   * spread over most of the interval (ticks `tickMs` apart), so no tick stalls the event loop for long.
   */
  checkpoint(now: number, tickMs: number): void {
    if (this.round.length === 0 && now - this.roundStart >= CHECKPOINT_MS) {
      this.round = [...this.memory];
      this.roundStart = now;
      this.slice = Math.max(MIN_SLICE, Math.ceil(this.round.length / Math.max(1, (0.8 * CHECKPOINT_MS) / tickMs)));
    }
    let budget = this.slice;
    while (budget > 0 && this.round.length > 0) {
      const tr = this.round.pop()!;
      if (!this.memory.has(tr) || !this.live(tr)) continue;
      this.save(tr, now);
      budget--;
    }
  }

  /** Stop: every tracker with unsaved memory. */
  flushAll(now: number): void {
    for (const tr of this.memory) if (this.live(tr)) this.save(tr, now);
    this.memory.clear();
    this.round = [];
  }

  private live(tr: Tracker): boolean { return this.trackers.get(tr.fingerprint) === tr; }

  private save(tr: Tracker, now: number): void {
    this.store.saveTracker(tr, trackerJson(tr), now);
    tr.stored = true;
    this.memory.delete(tr);
  }
}
