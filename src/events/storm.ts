import type { NoctuaEvent, StormSummary } from './event.js';

/** How many identical events per window pass before the rest are held and summarised. */
export interface StormSettings { windowMs: number; threshold: number }

interface Window {
  start: number;
  count: number;
  held: number;
  byType: Record<string, number>;
  last?: NoctuaEvent;
}

/** Keys tracked at most: beyond this the oldest windows are closed early (memory stays bounded under a spray of sources). */
const MAX_KEYS = 50_000;

/**
 * Storm control: events of one family on one device and interface/entity are counted per window; the first
 * `threshold` pass, the rest are held and emitted as one summary (with a count and the types seen) when the
 * window ends. A port flapping 500 times a minute becomes a few events and one summary per minute.
 */
export class StormControl {
  private windows = new Map<string, Window>();
  private heldTotal = 0;
  private summaries = 0;

  constructor(
    private readonly settings: StormSettings,
    private readonly emit: (e: NoctuaEvent, summary?: StormSummary) => void,
  ) {}

  /** The identity of "the same event": device, family and the interface or entity it concerns. */
  static key(e: NoctuaEvent): string {
    return `${e.device}\u0000${e.family}\u0000${e.ifName ?? e.ifIndex ?? e.entity ?? ''}`;
  }

  offer(e: NoctuaEvent, now: number): void {
    const key = StormControl.key(e);
    let w = this.windows.get(key);
    if (w && now - w.start >= this.settings.windowMs) w = this.next(key, w, now);
    if (!w) {
      if (this.windows.size >= MAX_KEYS) this.flush(now, true);
      w = { start: now, count: 0, held: 0, byType: {} };
      this.windows.set(key, w);
    }
    w.count++;
    if (w.count <= this.settings.threshold) { this.emit(e); return; }
    w.held++;
    this.heldTotal++;
    w.byType[e.type] = (w.byType[e.type] ?? 0) + 1;
    w.last = e;
  }

  /** Emits summaries of windows that ended (all of them with `all`); quiet windows are forgotten. */
  flush(now: number, all = false): void {
    for (const [key, w] of this.windows) {
      if (all) { this.close(w, now); this.windows.delete(key); }
      else if (now - w.start >= this.settings.windowMs) this.next(key, w, now);
    }
  }

  /**
   * Closes a window. A storm still going on continues in a window that holds from its first event, so a
   * port flapping for an hour gives one summary a minute, not `threshold` events plus a summary each minute.
   */
  private next(key: string, w: Window, now: number): Window | undefined {
    const stormy = w.held > 0;
    this.close(w, now);
    if (!stormy) { this.windows.delete(key); return undefined; }
    const cont: Window = { start: now, count: this.settings.threshold, held: 0, byType: {} };
    this.windows.set(key, cont);
    return cont;
  }

  private close(w: Window, now: number): void {
    if (w.held === 0 || !w.last) return;
    this.summaries++;
    this.emit({ ...w.last, time: new Date(now) }, { count: w.held, byType: { ...w.byType } });
    w.held = 0;
    w.byType = {};
    w.last = undefined;
  }

  stats(): { heldBack: number; summaries: number; stormsOpen: number } {
    let open = 0;
    for (const w of this.windows.values()) if (w.held > 0) open++;
    return { heldBack: this.heldTotal, summaries: this.summaries, stormsOpen: open };
  }
}
