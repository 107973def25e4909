import type { Device } from '../../src/config/inventory-schema.js';
import { FakeClock } from '../../src/core/clock.js';
import type { BatchPoller, PollKind, PollResult, Poller } from '../../src/core/poller.js';
import { deviceTags } from '../../src/core/poller.js';
import type { Sample } from '../../src/core/sample.js';
import { DeviceStateRegistry } from '../../src/scheduler/device-state.js';
import { phaseOffsetMs } from '../../src/scheduler/offsets.js';
import type { SchedulerPollers } from '../../src/scheduler/options.js';
import { PollScheduler } from '../../src/scheduler/scheduler.js';
import { idleLoop } from '../../src/scheduler/loop-delay.js';
import { SelfMetrics } from '../../src/scheduler/self-metrics.js';
import { clockTicker } from '../../src/scheduler/ticker.js';

/** A resolved inventory device with test-friendly defaults (10 s ICMP and SNMP, 1 h inventory). */
export function device(name: string, o: Partial<Device> = {}): Device {
  return {
    name, address: '127.0.0.1', class: 'switch', site: 'hq', tags: [],
    snmp: { version: '2c', community: 'public', port: 161, timeoutMs: 1000, retries: 0, maxRepetitions: 25 },
    icmp: { count: 3, intervalMs: 200, timeoutMs: 500 },
    intervals: { icmp: 10_000, snmp: 10_000, inventory: 3_600_000 },
    enabled: true, ...o,
  };
}

/** Names whose phase in `intervalMs` is the same second, so their polls fall due together. */
export function samePhaseNames(count: number, intervalMs: number, prefix = 'dev'): string[] {
  const byPhase = new Map<number, string[]>();
  for (let i = 0; i < 10_000; i++) {
    const n = `${prefix}-${i}`;
    const p = phaseOffsetMs(n, intervalMs);
    const list = byPhase.get(p) ?? [];
    list.push(n);
    if (list.length === count) return list;
    byPhase.set(p, list);
  }
  throw new Error('no phase shared by enough names');
}

/** How a fake poll of one device behaves: how long it takes, whether the device answers, whether it honours abort. */
export interface FakeBehaviour { delayMs?: number; reachable?: boolean; hang?: 'forever' | 'until-abort' }

/** A poller on fake time that records every call. */
export class FakePoller implements Poller {
  calls: { device: string; address: string; at: number }[] = [];
  forgotten: string[] = [];
  active = 0;
  maxActive = 0;
  behaviour = new Map<string, FakeBehaviour>();
  constructor(readonly kind: PollKind, protected clock: FakeClock, private defaults: FakeBehaviour = { delayMs: 100 }) {}

  async poll(d: Device, signal: AbortSignal): Promise<PollResult> {
    this.calls.push({ device: d.name, address: d.address, at: this.clock.ms() });
    const b = { ...this.defaults, ...this.behaviour.get(d.name) };
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      if (b.hang === 'forever') await new Promise(() => {});
      if (b.hang === 'until-abort') {
        await new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }));
      }
      await new Promise<void>((r) => this.clock.setTimeout(r, b.delayMs ?? 100));
    } finally {
      this.active--;
    }
    const reachable = b.reachable ?? true;
    const sample: Sample = { measurement: this.kind === 'icmp' ? 'icmp' : 'snmp_poll', tags: deviceTags(d), fields: { ok: reachable }, time: this.clock.now() };
    return { samples: [sample], errors: reachable ? [] : [{ device: d.name, kind: this.kind, message: 'no answer' }], reachable };
  }

  forget(name: string): void { this.forgotten.push(name); }
  async close(): Promise<void> {}
}

/** A batch ICMP poller on fake time: records each batch. */
export class FakeBatchPinger extends FakePoller implements BatchPoller {
  batches: { devices: string[]; at: number }[] = [];
  async pollMany(devices: readonly Device[], signal: AbortSignal): Promise<Map<string, PollResult>> {
    this.batches.push({ devices: devices.map((d) => d.name), at: this.clock.ms() });
    const out = new Map<string, PollResult>();
    await Promise.all(devices.map(async (d) => out.set(d.name, await this.poll(d, signal))));
    return out;
  }
}

/** A scheduler on fake time with an in-memory sink. */
export function fakeFleet(pollers: (clock: FakeClock) => SchedulerPollers, o: { concurrency?: number; deadlineFraction?: number; selfIntervalMs?: number } = {}) {
  const clock = new FakeClock(Date.UTC(2026, 0, 5, 0, 0, 0));
  const states = new DeviceStateRegistry(clock);
  const metrics = new SelfMetrics({ instance: 'test' });
  const published: Sample[] = [];
  const ps = pollers(clock);
  const scheduler = new PollScheduler({
    pollers: ps, states, metrics, clock, ticker: clockTicker(clock), loopDelay: idleLoop,
    publish: async (b) => { published.push(...b); },
    concurrency: o.concurrency ?? 16, deadlineFraction: o.deadlineFraction ?? 0.9, selfIntervalMs: o.selfIntervalMs ?? 30_000,
  });
  return { clock, states, metrics, published, scheduler, pollers: ps };
}

/** Gaps between consecutive values. */
export function gaps(times: number[]): number[] {
  return times.slice(1).map((t, i) => t - times[i]!);
}

/** Stops a fake fleet, moving fake time through the drain so the drain deadline can pass. */
export async function stopFleet(f: ReturnType<typeof fakeFleet>, drainMs: number): Promise<{ abandoned: number }> {
  const stopped = f.scheduler.stop(drainMs);
  await f.clock.advance(drainMs);
  return stopped;
}
