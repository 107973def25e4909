import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/** How late this process's event loop runs its timers: what tells the adaptive limit the queueing is our own. */
export interface LoopDelay {
  start(): void;
  stop(): void;
  /** Mean lateness of its timers since the last call (ms), then starts a new period. */
  takeMs(): number;
}

/** Resolution of the sampling timer, ms: fine enough to see a lagging loop, cheap enough to run always. */
const RESOLUTION_MS = 20;

/** The production reading: Node's event-loop delay histogram (perf_hooks), reset at each reading. */
export function eventLoopDelay(): LoopDelay {
  let h: IntervalHistogram | undefined;
  return {
    start() { h ??= monitorEventLoopDelay({ resolution: RESOLUTION_MS }); h.enable(); },
    stop() { h?.disable(); },
    takeMs() {
      if (!h || h.count === 0) return 0;
      // The histogram counts the sampling period itself (an idle loop reads ~RESOLUTION_MS): only the rest is lateness.
      const ms = h.mean / 1e6 - RESOLUTION_MS;
      h.reset();
      return Number.isFinite(ms) ? Math.max(0, ms) : 0;
    },
  };
}

/** A loop that never lags: for tests on fake time, where the real loop's delay would make them depend on the machine. */
export const idleLoop: LoopDelay = { start() {}, stop() {}, takeMs: () => 0 };
