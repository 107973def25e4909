import { hostname } from 'node:os';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { PollKind } from '../core/poller.js';
import type { Sample } from '../core/sample.js';

const KINDS: readonly PollKind[] = ['icmp', 'snmp', 'inventory'];

/** Counters of one kind over one self-monitoring period. */
interface Period {
  due: number;
  completed: number;
  ok: number;
  failed: number;
  overruns: number;
  maxLagMs: number;
  maxCycleMs: number;
}

/** Figures of the process's memory, named as the `noctua_self` fields and /metrics gauges carry them. */
const MEMORY = [
  ['rss_bytes', 'rss', 'Resident set size of the process.'],
  ['heap_used_bytes', 'heapUsed', 'V8 heap in use by live and not yet collected objects.'],
  ['heap_total_bytes', 'heapTotal', 'V8 heap reserved (used plus free space the collector keeps).'],
  ['external_bytes', 'external', 'Memory of C++ objects bound to JavaScript objects (Buffers, sockets, SQLite).'],
  ['array_buffers_bytes', 'arrayBuffers', 'ArrayBuffers and Buffers (part of external).'],
] as const satisfies readonly (readonly [string, keyof NodeJS.MemoryUsage, string])[];

/** Collector pauses of the main thread since the last process sample (watched from the first one on). */
const gc = { pauseMs: 0, major: 0, observer: undefined as PerformanceObserver | undefined };

function watchGc(): void {
  if (gc.observer) return;
  gc.observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gc.pauseMs += e.duration;
      if ((e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) gc.major++;
    }
  });
  gc.observer.observe({ entryTypes: ['gc'] });
}

/**
 * The process's memory as a `noctua_self` sample (`component=process`): RSS beside the V8 heap in use and reserved,
 * so a growing RSS can be told apart as live objects (heap used), collector slack (heap total minus used) or native
 * memory outside the heap (RSS minus heap total: buffers, sockets, SQLite, malloc arenas); and what the collector
 * cost since the previous sample (`gc_pause_ms`, `gc_major`), so a smaller heap is seen to pay for itself or not.
 */
export function processSample(instance: string, now: Date, usage: NodeJS.MemoryUsage = process.memoryUsage()): Sample {
  watchGc();
  const fields: Record<string, number> = {};
  for (const [field, key] of MEMORY) fields[field] = usage[key];
  fields.gc_pause_ms = Math.round(gc.pauseMs * 1000) / 1000;
  fields.gc_major = gc.major;
  gc.pauseMs = 0;
  gc.major = 0;
  return { measurement: 'noctua_self', tags: { component: 'process', instance }, fields, time: now };
}

const emptyPeriod = (): Period => ({ due: 0, completed: 0, ok: 0, failed: 0, overruns: 0, maxLagMs: 0, maxCycleMs: 0 });

/**
 * The scheduler watching itself. Two views of the same counts: a prom-client Registry (for the
 * API's /metrics, cumulative, per device where that helps find the culprit) and `noctua_self`
 * samples per kind and period (docs/SCHEMA.md), so the poller's health sits in InfluxDB beside
 * the devices' and can be alerted on like any other measurement.
 *
 * Per period and kind: `due` polls that came due, `completed` polls that finished, `polls_ok` and
 * `polls_failed`, `overruns` (due polls skipped because the previous one still ran, plus slots
 * missed while the process stalled), `queue_lag_ms` (the longest wait from a poll's slot to its
 * start: tick delay plus the concurrency queue) and `cycle_ms` (the longest time from a poll's slot
 * to its result: when this nears the interval, the fleet is not being kept up with).
 */
export class SelfMetrics {
  /** The Prometheus registry the API exposes on /metrics. */
  readonly registry = new Registry();
  readonly instance: string;
  private period = new Map<PollKind, Period>(KINDS.map((k) => [k, emptyPeriod()]));
  private readonly polls: Counter<'kind' | 'device' | 'result'>;
  private readonly overrunsTotal: Counter<'kind' | 'device'>;
  private readonly backoffTotal: Counter<'kind' | 'device'>;
  private readonly dueTotal: Counter<'kind'>;
  private readonly duration: Histogram<'kind'>;
  private readonly lag: Histogram<'kind'>;
  private readonly cycle: Gauge<'kind'>;
  private readonly devices: Gauge<'kind'>;
  private readonly inFlight: Gauge;
  private readonly queued: Gauge;
  private readonly limit: Gauge;

  constructor(opts: { instance?: string } = {}) {
    this.instance = opts.instance ?? hostname();
    const registers = [this.registry];
    this.polls = new Counter({ name: 'noctua_polls_total', help: 'Finished polls by kind, device and result (ok or failed).', labelNames: ['kind', 'device', 'result'], registers });
    this.overrunsTotal = new Counter({ name: 'noctua_poll_overruns_total', help: 'Due polls skipped because the previous poll of the device still ran.', labelNames: ['kind', 'device'], registers });
    this.backoffTotal = new Counter({ name: 'noctua_poll_backoff_skips_total', help: 'SNMP polls skipped because ICMP says the device is unreachable.', labelNames: ['kind', 'device'], registers });
    this.dueTotal = new Counter({ name: 'noctua_polls_due_total', help: 'Polls that came due.', labelNames: ['kind'], registers });
    this.duration = new Histogram({ name: 'noctua_poll_duration_seconds', help: 'Time a poll spent talking to the device.', labelNames: ['kind'], buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60], registers });
    this.lag = new Histogram({ name: 'noctua_poll_queue_lag_seconds', help: 'Wait from a poll\'s slot to its start.', labelNames: ['kind'], buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30], registers });
    this.cycle = new Gauge({ name: 'noctua_poll_cycle_seconds', help: 'Longest slot-to-result time of the last self-monitoring period.', labelNames: ['kind'], registers });
    this.devices = new Gauge({ name: 'noctua_scheduled_devices', help: 'Devices scheduled per poll kind.', labelNames: ['kind'], registers });
    this.inFlight = new Gauge({ name: 'noctua_polls_in_flight', help: 'Polls holding a concurrency slot.', registers });
    this.queued = new Gauge({ name: 'noctua_polls_queued', help: 'Polls waiting for a concurrency slot.', registers });
    this.limit = new Gauge({ name: 'noctua_polls_limit', help: 'Polls allowed in flight now (adapted to latency, at most scheduler.concurrency).', registers });
    // Memory gauges, read when /metrics is scraped.
    for (const [field, key, help] of MEMORY) {
      new Gauge({ name: `noctua_process_${field}`, help, registers, collect() { this.set(process.memoryUsage()[key]); } });
    }
  }

  private p(kind: PollKind): Period { return this.period.get(kind)!; }

  /** A poll came due. */
  due(kind: PollKind): void { this.p(kind).due++; this.dueTotal.inc({ kind }); }

  /** A due poll was skipped: the previous one still ran (or `missed` slots went by in a stall). */
  overrun(kind: PollKind, device: string, count = 1): void {
    this.p(kind).overruns += count;
    this.overrunsTotal.inc({ kind, device }, count);
  }

  /** An SNMP poll was skipped because the device is unreachable by ICMP. */
  backoff(kind: PollKind, device: string): void { this.backoffTotal.inc({ kind, device }); }

  /** A poll got its slot `lagMs` after it was due. */
  started(kind: PollKind, lagMs: number): void {
    const p = this.p(kind);
    p.maxLagMs = Math.max(p.maxLagMs, lagMs);
    this.lag.observe({ kind }, lagMs / 1000);
  }

  /** A poll finished (or was abandoned at its deadline, as a failure). */
  completed(kind: PollKind, device: string, ok: boolean, durationMs: number, sinceDueMs: number): void {
    const p = this.p(kind);
    p.completed++;
    if (ok) p.ok++; else p.failed++;
    p.maxCycleMs = Math.max(p.maxCycleMs, sinceDueMs);
    this.polls.inc({ kind, device, result: ok ? 'ok' : 'failed' });
    this.duration.observe({ kind }, durationMs / 1000);
  }

  /** Current gauges: devices per kind, polls holding and waiting for slots, and the in-flight limit. */
  gauges(devicesPerKind: Record<PollKind, number>, inFlight: number, queued: number, limit?: number): void {
    for (const k of KINDS) this.devices.set({ kind: k }, devicesPerKind[k]);
    this.inFlight.set(inFlight);
    this.queued.set(queued);
    if (limit !== undefined) this.limit.set(limit);
  }

  /** Drops a removed device's labelled series, so a churning inventory does not grow /metrics forever. */
  forgetDevice(device: string): void {
    for (const kind of KINDS) {
      for (const result of ['ok', 'failed']) this.polls.remove({ kind, device, result });
      this.overrunsTotal.remove({ kind, device });
      this.backoffTotal.remove({ kind, device });
    }
  }

  /** The `noctua_self` samples of the period that ends now (one per kind that had devices or activity), starting a new period. */
  takeSamples(now: Date, activeKinds: ReadonlySet<PollKind>): Sample[] {
    const out: Sample[] = [];
    for (const kind of KINDS) {
      const p = this.p(kind);
      this.period.set(kind, emptyPeriod());
      if (!activeKinds.has(kind) && p.due === 0 && p.completed === 0) continue;
      this.cycle.set({ kind }, p.maxCycleMs / 1000);
      out.push({
        measurement: 'noctua_self',
        tags: { component: 'scheduler', kind, instance: this.instance },
        fields: {
          cycle_ms: p.maxCycleMs, polls_ok: p.ok, polls_failed: p.failed, overruns: p.overruns,
          queue_lag_ms: p.maxLagMs, due: p.due, completed: p.completed,
        },
        time: now,
      });
    }
    return out;
  }
}
