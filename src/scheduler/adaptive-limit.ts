/**
 * How many polls may be in flight at once, adapted to latency (the way Zabbix 7's asynchronous pollers or a
 * TCP-style limiter do it: start low, grow while work waits, back off on queueing). Each finished poll is compared
 * with its own agent's best recent latency (a 48-port switch and a small router are not comparable; the same agent
 * now and a minute ago is): while polls take about what their agents need, the limit grows where demand waits for
 * it; when they take `tolerance` times longer — agents, the network or this process's own event loop saturated —
 * it shrinks by a quarter. It never shrinks below what the schedule needs at the latency measured (Little's law:
 * polls due per second × seconds per poll, twice over): when the agents are slow because of something else, fewer
 * polls in flight would only fail more of them waiting. While this process's own event loop lags (its timers
 * fire late: the queueing is ours), polls past that need would only make every poll slower: the limit does not
 * grow and sheds what it holds above the floor by a quarter per adjustment, and the floor counts at most `tolerance`
 * times the latency measured while the loop last kept up. Bench runs at 5,000 devices (load 4–5 on 2 cores) showed
 * both sides: a floor at the pre-lag latency held 190 slots where ~216 were needed (1,479 of 11,014 polls failed
 * waiting); a floor following the lagging latency ran to the ceiling and polls took 23 s (p50), the loop drowning in
 * timeouts and retries. Pure arithmetic on what it is told (no clock), so tests drive it deterministically.
 */

/** The limit's bounds and start. */
export interface AdaptiveLimitSettings {
  /** Floor: the limit never goes below this (nor above `max`). */
  min: number;
  /** Ceiling: `scheduler.concurrency`. */
  max: number;
  /** Where the limit starts (clamped to [min, max]). */
  initial: number;
}

/** A smoothed latency ratio above this means queueing somewhere: shrink. */
const TOLERANCE = 2;
/** Weight of one poll in the smoothed ratio. */
const SMOOTHING = 0.1;
/** How fast an agent's baseline follows latencies above it (a baseline that only fell would never forgive a lucky poll). */
const BASELINE_DRIFT = 0.02;
/** A failed poll of an agent that answered before counts as this ratio: timeouts under overload are the loudest signal. */
const FAILED_RATIO = 4;
/** Agents whose baseline is kept; past this the oldest is forgotten (it learns again from its next poll). */
const MAX_AGENTS = 100_000;
/** Latencies below this are noise (a loopback agent answers in well under a millisecond). */
const FLOOR_MS = 1;
/** Multiplicative decrease. */
const DECREASE = 0.75;
/** Headroom over the schedule's need (Little's law) that the floor keeps: latencies vary, a mean is not enough. */
const NEED_HEADROOM = 2;
/**
 * Smoothed event-loop delay (ms a timer fires late, mean per second) from which the queueing counts as our own.
 * A healthy loop under load stays in single digits (many short callbacks); a loop blocked 60 % of a second in
 * 300 ms pieces reads ~30; a GC pause or one long batch is smoothed away.
 */
export const LOOP_BUSY_MS = 40;
/** Weight of one loop-delay reading (one a second) in the smoothed loop delay. */
const LOOP_SMOOTHING = 0.3;

/** The in-flight limit and what it learned: agents' baselines and the smoothed latency ratio. */
export class AdaptiveLimit {
  private current: number;
  private min: number;
  private max: number;
  private readonly baseline = new Map<string, number>();
  private smoothed = 1;
  private sinceAdjust = 0;
  private demandWaited = false;
  /** Polls due per second (the scheduler's job table). */
  private demand = 0;
  /** Smoothed latency of answered polls, ms. */
  private latency = 0;
  /** The smoothed latency as it was while the event loop last kept up (0: never measured), ms. */
  private healthyLatency = 0;
  /** Smoothed event-loop delay, ms. */
  private loopDelay = 0;

  constructor(s: AdaptiveLimitSettings) {
    this.min = Math.max(1, Math.min(s.min, s.max));
    this.max = Math.max(1, s.max);
    this.current = clamp(s.initial, this.min, this.max);
  }

  /** The limit now. */
  get limit(): number { return this.current; }
  /** The smoothed ratio of latency to the agents' baselines (1 = as fast as they get). */
  get ratio(): number { return this.smoothed; }

  /** New bounds (a reload); the limit is clamped into them. */
  setBounds(min: number, max: number): void {
    this.max = Math.max(1, max);
    this.min = Math.max(1, Math.min(min, this.max));
    this.current = clamp(this.current, this.min, this.max);
  }

  /** Polls due per second by the schedule: with the measured latency, the least the limit may shrink to. */
  setDemand(pollsPerSecond: number): void { this.demand = Math.max(0, pollsPerSecond); }

  /**
   * The event loop's delay now (mean ms its timers fired late over the last second). Above {@link LOOP_BUSY_MS}
   * (smoothed) the queueing is in this process: see the class comment.
   */
  setLoopDelay(ms: number): void {
    this.loopDelay += (Math.max(0, ms) - this.loopDelay) * LOOP_SMOOTHING;
  }

  /** Whether this process's own event loop lags (its smoothed delay is past {@link LOOP_BUSY_MS}). */
  get loopBusy(): boolean { return this.loopDelay >= LOOP_BUSY_MS; }

  /** Smoothed latency of answered polls, ms (0 before the first). */
  get latencyMs(): number { return this.latency; }

  /**
   * The floor now: the configured minimum, or what the schedule needs at the measured latency if more (while the
   * loop lags, that latency counted up to `tolerance` times what it was while the loop kept up).
   */
  get floor(): number {
    // While the loop lags, part of the latency is our own queue: counted up to `tolerance` times the healthy latency.
    const latency = this.loopBusy && this.healthyLatency > 0 ? Math.min(this.latency, this.healthyLatency * TOLERANCE) : this.latency;
    return Math.min(this.max, Math.max(this.min, Math.ceil((this.demand * latency * NEED_HEADROOM) / 1000)));
  }

  /** A poll had to wait for the limit: growing it would have helped. */
  waited(): void { this.demandWaited = true; }

  /**
   * A poll of `agent` finished after `latencyMs` in flight. Returns the limit, changed every
   * max(4, limit / 4) polls: down by a quarter when the smoothed ratio passed the tolerance or the event loop lags,
   * else up by about √limit when polls waited for it.
   */
  observe(agent: string, latencyMs: number, ok: boolean): number {
    const ms = Math.max(FLOOR_MS, latencyMs);
    const base = this.baseline.get(agent);
    let ratio: number | undefined;
    if (ok) {
      this.latency = this.latency === 0 ? ms : this.latency + (ms - this.latency) * SMOOTHING;
      if (!this.loopBusy) this.healthyLatency = this.latency;
      ratio = base === undefined ? 1 : ms / base;
      const next = base === undefined || ms < base ? ms : base + (ms - base) * BASELINE_DRIFT;
      if (base === undefined) this.remember(agent, next);
      else this.baseline.set(agent, next);
    } else if (base !== undefined) {
      // An agent never heard from says nothing about load (a dead device times out at any concurrency).
      ratio = FAILED_RATIO;
    }
    if (ratio !== undefined) this.smoothed += (Math.min(ratio, 10 * TOLERANCE) - this.smoothed) * SMOOTHING;
    if (++this.sinceAdjust >= Math.max(4, Math.ceil(this.current / 4))) this.adjust();
    return this.current;
  }

  /** Forgets an agent's baseline (its device left the inventory). */
  forget(agent: string): void { this.baseline.delete(agent); }

  private adjust(): void {
    const floor = this.floor;
    if (this.smoothed > TOLERANCE || this.loopBusy) this.current = Math.max(floor, Math.floor(this.current * DECREASE));
    else if (this.demandWaited) this.current = Math.min(this.max, this.current + Math.max(1, Math.round(Math.sqrt(this.current))));
    this.current = Math.max(this.current, floor);
    this.sinceAdjust = 0;
    this.demandWaited = false;
  }

  private remember(agent: string, ms: number): void {
    if (this.baseline.size >= MAX_AGENTS) this.baseline.delete(this.baseline.keys().next().value!);
    this.baseline.set(agent, ms);
  }
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, Math.floor(n)));
}
