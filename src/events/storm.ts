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
  /**
   * Windows by device, then family, then interface/entity: three lookups of strings that mostly carry their hash
   * already (the inventory's device name, the catalog entry's family), where one joined key was a new string to
   * flatten and hash for every event.
   */
  private windows = new Map<string, Map<string, Map<string, Window>>>();
  /** Windows tracked, across the three levels (bounded by MAX_KEYS). */
  private tracked = 0;
  private heldTotal = 0;
  private summaries = 0;

  constructor(
    private readonly settings: StormSettings,
    private readonly emit: (e: NoctuaEvent, summary?: StormSummary) => void,
  ) {}

  /** The interface or entity an event concerns, the last part of "the same event" (with device and family). */
  private static what(e: NoctuaEvent): string {
    return e.ifName ?? e.ifIndex ?? e.entity ?? '';
  }

  offer(e: NoctuaEvent, now: number): void {
    let families = this.windows.get(e.device);
    if (!families) { families = new Map(); this.windows.set(e.device, families); }
    let byWhat = families.get(e.family);
    if (!byWhat) { byWhat = new Map(); families.set(e.family, byWhat); }
    const what = StormControl.what(e);
    let w = byWhat.get(what);
    if (w && now - w.start >= this.settings.windowMs) w = this.next(byWhat, what, w, now);
    if (!w) {
      if (this.tracked >= MAX_KEYS) {
        this.flush(now, true);
        return this.offer(e, now); // the maps were emptied: start again from the device
      }
      w = { start: now, count: 0, held: 0, byType: {} };
      byWhat.set(what, w);
      this.tracked++;
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
    for (const [device, families] of this.windows) {
      for (const [family, byWhat] of families) {
        for (const [what, w] of byWhat) {
          if (all) { this.close(w, now); byWhat.delete(what); this.tracked--; }
          else if (now - w.start >= this.settings.windowMs) this.next(byWhat, what, w, now);
        }
        if (byWhat.size === 0) families.delete(family);
      }
      if (families.size === 0) this.windows.delete(device);
    }
  }

  /**
   * Closes a window. A storm still going on continues in a window that holds from its first event, so a
   * port flapping for an hour gives one summary a minute, not `threshold` events plus a summary each minute.
   */
  private next(byWhat: Map<string, Window>, what: string, w: Window, now: number): Window | undefined {
    const stormy = w.held > 0;
    this.close(w, now);
    if (!stormy) { byWhat.delete(what); this.tracked--; return undefined; }
    const cont: Window = { start: now, count: this.settings.threshold, held: 0, byType: {} };
    byWhat.set(what, cont);
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
    for (const families of this.windows.values()) for (const byWhat of families.values()) for (const w of byWhat.values()) if (w.held > 0) open++;
    return { heldBack: this.heldTotal, summaries: this.summaries, stormsOpen: open };
  }
}
