/** What the poll scheduler (scheduler.ts) is built with and what it reports: its options, pollers and device-set changes. */
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { BatchPoller, PollKind, Poller } from '../core/poller.js';
import type { Sample } from '../core/sample.js';
import type { DeviceStateRegistry } from './device-state.js';
import type { LoopDelay } from './loop-delay.js';
import type { SelfMetrics } from './self-metrics.js';
import type { Ticker } from './ticker.js';

/** The pollers the scheduler drives; a kind without a poller is not scheduled. */
export type SchedulerPollers = Partial<Record<PollKind, Poller | (Poller & BatchPoller)>>;

export interface SchedulerOptions {
  pollers: SchedulerPollers;
  /** Where samples go (the SampleBus); must not throw. */
  publish: (batch: Sample[]) => Promise<void>;
  states: DeviceStateRegistry;
  metrics: SelfMetrics;
  /** Ceiling of polls in flight at once across the fleet; the limit itself adapts to latency below it (poll-slots.ts). */
  concurrency: number;
  /** Polls in flight to one agent (address and port) at once; default 4. */
  perAgent?: number;
  /** A poll still running after this share of its interval is abandoned. */
  deadlineFraction: number;
  /** How often `noctua_self` samples are emitted. */
  selfIntervalMs?: number;
  clock?: Clock;
  ticker?: Ticker;
  /** How late the event loop runs (default: Node's perf_hooks histogram); tells the limit when queueing is ours. */
  loopDelay?: LoopDelay;
  log?: Logger;
}

/** What setDevices changed. */
export interface DeviceSetChange { added: string[]; removed: string[]; changed: string[] }
