/** Injectable time, so schedulers, SLA clocks and rules can be tested with fake time. */
export interface Clock {
  now(): Date;
  /** Milliseconds since the epoch; same source as now(). */
  ms(): number;
  setTimeout(fn: () => void, ms: number): { cancel(): void };
}

/** The wall clock. */
export const systemClock: Clock = {
  now: () => new Date(),
  ms: () => Date.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return { cancel: () => clearTimeout(t) };
  },
};

/** A clock that only moves when told to; timers fire in due order as time advances. */
export class FakeClock implements Clock {
  private t: number;
  private timers: { at: number; seq: number; fn: () => void; cancelled: boolean }[] = [];
  private seq = 0;
  constructor(start: Date | number = Date.UTC(2026, 0, 5, 0, 0, 0)) {
    this.t = typeof start === 'number' ? start : start.getTime();
  }
  now(): Date { return new Date(this.t); }
  ms(): number { return this.t; }
  setTimeout(fn: () => void, ms: number) {
    const timer = { at: this.t + Math.max(0, ms), seq: this.seq++, fn, cancelled: false };
    this.timers.push(timer);
    return { cancel: () => { timer.cancelled = true; } };
  }
  /** Moves time forward by `ms`, firing every timer due on the way, in order. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      this.timers = this.timers.filter((x) => !x.cancelled);
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.t = next.at;
      next.fn();
      // Let promise continuations scheduled by the timer run before the next one fires.
      await new Promise((r) => setImmediate(r));
    }
    this.t = end;
  }
}
