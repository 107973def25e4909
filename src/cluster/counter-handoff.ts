import { gzipSync } from 'node:zlib';
import type { Redis } from 'ioredis';
import type { Device } from '../config/inventory-schema.js';
import type { Logger } from '../core/log.js';
import type { BatchPoller, PollResult, Poller } from '../core/poller.js';
import type { SnmpPoller } from '../pollers/snmp/index.js';
import type { SchedulerPollers } from '../scheduler/options.js';
import { gunzipBounded } from './batch-codec.js';
import type { ClusterKeys } from './keys.js';

/** How long counter state stays in Redis without a poll refreshing it. */
const STATE_TTL_MS = 86_400_000;
/** The most JSON one device's counter state may inflate to (~5.8 KiB on the shared recordings; a 1,000-port chassis stays under 1 MiB). */
export const MAX_COUNTER_STATE_BYTES = 16 * 1024 * 1024;

/**
 * Moves a device's SNMP counter state with the device. After every SNMP poll the state goes to Redis,
 * so even a poller killed with -9 leaves its last counters behind; the poller that takes the device over
 * imports them before its first poll, and the first rate it computes spans the handover instead of
 * starting from nothing (no gap) or from zero (no spike). It also knows which polls are under way, so a
 * poller handing a device over can wait for its last poll to finish first.
 */
export class CounterHandoff {
  private readonly inFlight = new Map<string, Set<Promise<unknown>>>();
  private readonly writes = new Map<string, Promise<unknown>>();

  constructor(private readonly redis: Redis, private readonly keys: ClusterKeys, private readonly snmp: SnmpPoller | undefined, private readonly log: Logger) {}

  /** The same pollers, with in-flight tracking on all and counter export after each SNMP poll. */
  wrap(pollers: SchedulerPollers): SchedulerPollers {
    const out: SchedulerPollers = {};
    for (const [kind, p] of Object.entries(pollers) as [keyof SchedulerPollers, Poller | (Poller & BatchPoller)][]) {
      if (!p) continue;
      const track = <T>(names: string[], work: Promise<T>): Promise<T> => {
        for (const n of names) {
          const set = this.inFlight.get(n) ?? new Set();
          set.add(work);
          this.inFlight.set(n, set);
        }
        const done = () => { for (const n of names) { const s = this.inFlight.get(n); s?.delete(work); if (s?.size === 0) this.inFlight.delete(n); } };
        work.then(done, done);
        return work;
      };
      // A prototype-preserving wrapper: the scheduler checks `'pollMany' in poller`, the start log reads `backend`.
      const wrapped = Object.create(p) as Poller & Partial<BatchPoller>;
      wrapped.poll = (device: Device, signal: AbortSignal) => {
        const work = track([device.name], p.poll(device, signal));
        if (kind === 'snmp') void work.then(() => this.save(device.name), () => undefined);
        return work;
      };
      if ('pollMany' in p) {
        wrapped.pollMany = (devices: readonly Device[], signal: AbortSignal): Promise<Map<string, PollResult>> => track(devices.map((d) => d.name), p.pollMany(devices, signal));
      }
      wrapped.close = () => p.close();
      if (p.forget) wrapped.forget = (name: string) => p.forget!(name);
      out[kind] = wrapped as Poller;
    }
    return out;
  }

  private save(device: string): void {
    const state = this.snmp?.exportCounterState(device);
    if (state === undefined) return;
    // Gzipped: a device's raw counters are ~5.8 KiB of JSON on the shared recordings, ~4x less compressed (docs/SCALE.md).
    const w = this.redis.set(this.keys.counters(device), gzipSync(JSON.stringify(state)), 'PX', STATE_TTL_MS)
      .catch((err: unknown) => this.log.debug({ err, device }, 'counter state not saved (Redis unreachable); the next poll saves it'));
    this.writes.set(device, w);
    void w.finally(() => { if (this.writes.get(device) === w) this.writes.delete(device); });
  }

  /** Waits (at most `timeoutMs`) until no poll of `device` is under way and its last counter state is written. */
  async settle(device: string, timeoutMs: number): Promise<void> {
    const pending = [...(this.inFlight.get(device) ?? [])];
    const limit = new Promise((r) => { const t = setTimeout(r, timeoutMs); t.unref(); });
    await Promise.race([Promise.allSettled(pending), limit]);
    await Promise.race([this.writes.get(device), limit]);
  }

  /** Loads the counter state another poller left for these devices into the SNMP poller. */
  async adopt(devices: readonly string[]): Promise<number> {
    if (!this.snmp || devices.length === 0) return 0;
    const raw = await this.redis.mgetBuffer(...devices.map((d) => this.keys.counters(d)));
    let n = 0;
    devices.forEach((d, i) => {
      const data = raw[i];
      if (!data) return;
      try {
        this.snmp!.importCounterState(d, JSON.parse(gunzipBounded(data, MAX_COUNTER_STATE_BYTES, `counter state of ${d}`).toString('utf8')));
        n++;
      } catch (err) {
        this.log.warn({ err: (err as Error).message, device: d }, 'counter state in Redis is unusable; rates of this device restart');
      }
    });
    return n;
  }
}
