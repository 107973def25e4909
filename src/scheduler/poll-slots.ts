import { AdaptiveLimit } from './adaptive-limit.js';

/** How a poll that held a slot went: what the adaptive limit learns from (left out for ICMP batches). */
export interface SlotOutcome {
  latencyMs: number;
  ok: boolean;
}

/** Gives a slot back; with an outcome, the adaptive limit learns from it. Calling it again does nothing. */
export type ReleaseSlot = (outcome?: SlotOutcome) => void;

/** Limits of {@link PollSlots}: the process budget (adaptive between `min` and `max`) and the budget per agent. */
export interface SlotLimits {
  /** Ceiling of polls in flight in this process (`scheduler.concurrency`). */
  max: number;
  /** Floor the adaptive limit never goes under (default: min(8, max)). */
  min?: number;
  /** Where the limit starts (default: min(32, max); it grows from there while polls wait for it). */
  initial?: number;
  /** Polls in flight to one agent (address and port) at once (default 4). */
  perAgent?: number;
}

interface Waiter {
  agent: string | undefined;
  grant: () => void;
}

const DEFAULT_PER_AGENT = 4;
/**
 * Where the limit starts unless told: low, so a new process does not open a thousand requests before it has seen
 * one answer; it reaches the schedule's need within seconds (growth while polls wait, and the Little's-law floor).
 */
const DEFAULT_INITIAL = 32;

/**
 * The in-flight budget: at most `limit` polls talk to the network at once, a limit that adapts to the polls'
 * latency (see {@link AdaptiveLimit}), and at most `perAgent` of them to one agent. The rest wait in arrival order;
 * a waiter whose agent is busy does not hold up the ones behind it. A waiter whose deadline passes leaves the
 * queue, so a backlog cannot grow forever.
 */
export class PollSlots {
  private busy = 0;
  private waiting: Waiter[] = [];
  private readonly perAgentBusy = new Map<string, number>();
  private perAgent: number;
  private readonly adaptive: AdaptiveLimit;

  constructor(limits: number | SlotLimits) {
    const l: SlotLimits = typeof limits === 'number' ? { max: limits } : limits;
    this.perAgent = Math.max(1, l.perAgent ?? DEFAULT_PER_AGENT);
    this.adaptive = new AdaptiveLimit(bounds(l));
  }

  /** Polls holding a slot now. */
  get inUse(): number { return this.busy; }
  /** Polls waiting for a slot. */
  get queued(): number { return this.waiting.length; }
  /** The process limit now (adapted to latency, within its bounds). */
  get limit(): number { return this.adaptive.limit; }

  /** Changes the limits (a reload); waiters are let in when they grow. A plain number sets the ceiling. */
  setLimit(limits: number | SlotLimits): void {
    const l: SlotLimits = typeof limits === 'number' ? { max: limits } : limits;
    const b = bounds(l);
    this.adaptive.setBounds(b.min, b.max);
    if (l.perAgent !== undefined) this.perAgent = Math.max(1, l.perAgent);
    this.pump();
  }

  /** Polls due per second by the schedule (see {@link AdaptiveLimit.setDemand}). */
  setDemand(pollsPerSecond: number): void { this.adaptive.setDemand(pollsPerSecond); }

  /** The event loop's delay over the last second (see {@link AdaptiveLimit.setLoopDelay}). */
  setLoopDelay(ms: number): void { this.adaptive.setLoopDelay(ms); }

  /** Whether this process's own event loop lags (see {@link AdaptiveLimit.loopBusy}). */
  get loopBusy(): boolean { return this.adaptive.loopBusy; }

  /** How long a poll takes now (smoothed over answered polls; 0 before the first), ms. */
  get latencyMs(): number { return this.adaptive.latencyMs; }

  /** Forgets what was learned of an agent (its device left). */
  forgetAgent(agent: string): void { this.adaptive.forget(agent); }

  /**
   * Waits for a slot (and, with `agent`, for one of that agent's); resolves with its release function, or rejects
   * when `signal` aborts first. `first` goes ahead of every waiter (an ICMP batch: one slot for the whole tick's
   * reachability verdicts, which must not wait behind a backlog of SNMP polls).
   */
  acquire(signal: AbortSignal, agent?: string, opts: { first?: boolean } = {}): Promise<ReleaseSlot> {
    if (signal.aborted) return Promise.reject(signal.reason as Error);
    return new Promise((resolve, reject) => {
      let released = false;
      let granted = false;
      const release: ReleaseSlot = (outcome) => {
        if (released) return;
        released = true;
        this.busy--;
        if (agent !== undefined) {
          const n = (this.perAgentBusy.get(agent) ?? 1) - 1;
          if (n <= 0) this.perAgentBusy.delete(agent);
          else this.perAgentBusy.set(agent, n);
          if (outcome) this.adaptive.observe(agent, outcome.latencyMs, outcome.ok);
        }
        this.pump();
      };
      const waiter: Waiter = {
        agent,
        grant: () => {
          granted = true;
          signal.removeEventListener('abort', onAbort);
          this.busy++;
          if (agent !== undefined) this.perAgentBusy.set(agent, (this.perAgentBusy.get(agent) ?? 0) + 1);
          resolve(release);
        },
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(waiter);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(signal.reason as Error);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      if (opts.first) this.waiting.unshift(waiter);
      else this.waiting.push(waiter);
      this.pump();
      if (!granted && this.busy >= this.adaptive.limit) this.adaptive.waited();
    });
  }

  private pump(): void {
    let i = 0;
    while (this.busy < this.adaptive.limit && i < this.waiting.length) {
      const w = this.waiting[i]!;
      if (w.agent !== undefined && (this.perAgentBusy.get(w.agent) ?? 0) >= this.perAgent) { i++; continue; }
      this.waiting.splice(i, 1);
      w.grant();
    }
  }
}

function bounds(l: SlotLimits): { min: number; max: number; initial: number } {
  const max = Math.max(1, l.max);
  return { max, min: l.min ?? Math.min(8, max), initial: l.initial ?? Math.min(DEFAULT_INITIAL, max) };
}
