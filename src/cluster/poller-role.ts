import type { Redis } from 'ioredis';
import type { ClusterSection } from '../config/sections/cluster.js';
import type { Device } from '../config/inventory-schema.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { Sample } from '../core/sample.js';
import type { SnmpPoller } from '../pollers/snmp/index.js';
import type { SchedulerPollers } from '../scheduler/options.js';
import { CounterHandoff } from './counter-handoff.js';
import { DeviceShare } from './device-share.js';
import { devicesOfGroup } from './groups.js';
import type { ClusterKeys } from './keys.js';
import { RedisLeaseStore } from './lease.js';
import { createSampleForwarder, type SampleForwarder } from './sample-forwarder.js';

/** Options of {@link PollerRole.create}. */
export interface PollerRoleOptions {
  redis: Redis;
  keys: ClusterKeys;
  section: ClusterSection;
  /** This member's id in Redis. */
  member: string;
  /** Every role this process holds (announced in its heartbeat). */
  roles: string[];
  /** The real pollers; the role wraps them to track polls under way and hand counters over. */
  pollers: SchedulerPollers;
  /** The whole inventory in force (it changes on reload). */
  inventory: () => readonly Device[];
  stateDir: string;
  spool: { maxBytes: number; segmentBytes: number };
  clock: Clock;
  log: Logger;
}

/** The longest a handed-over device's last poll may still run: its longest interval's deadline, at most a minute. */
export function settleMs(devices: readonly Device[], deadlineFraction: number): number {
  let ms = 1000;
  for (const d of devices) ms = Math.max(ms, Math.min(d.intervals.icmp, d.intervals.snmp) * deadlineFraction);
  return Math.min(60_000, ms + 500);
}

/**
 * The poller side of a cluster member (docs/SCALE.md), beside {@link CoreRole}: its pollers, wrapped so that
 * counters move with a device; the forwarder that sends sample batches to the group's Redis Stream (or the disk
 * spool while Redis is away); and its share of the group's devices, kept by rendezvous hashing and leases.
 * A poller keeps no incidents: it opens no state database and builds no alert engine.
 */
export class PollerRole {
  private share: DeviceShare | undefined;

  private constructor(
    private readonly opts: PollerRoleOptions,
    private readonly handoff: CounterHandoff,
    /** The pollers the scheduler runs. */
    readonly pollers: SchedulerPollers,
    /** The bus sink of this role. */
    readonly forwarder: SampleForwarder,
  ) {}

  /** Wraps the pollers and opens the forwarder (and its spool); nothing is polled until {@link start}. */
  static async create(opts: PollerRoleOptions): Promise<PollerRole> {
    const handoff = new CounterHandoff(opts.redis, opts.keys, opts.pollers.snmp as SnmpPoller | undefined, opts.log);
    const forwarder = await createSampleForwarder({
      redis: opts.redis, stream: opts.keys.stream(opts.section.group), member: opts.member, maxLen: opts.section.streamMaxLen, stateDir: opts.stateDir,
      spoolMaxBytes: opts.spool.maxBytes, spoolSegmentBytes: opts.spool.segmentBytes, clock: opts.clock, log: opts.log,
    });
    return new PollerRole(opts, handoff, handoff.wrap(opts.pollers), forwarder);
  }

  /** The devices of this poller's group in the inventory in force. */
  groupDevices(): Device[] { return devicesOfGroup([...this.opts.inventory()], this.opts.section); }

  /** Joins the group: `schedule` receives the devices this poller holds, at every change of its share. */
  start(schedule: (devices: Device[]) => void, deadlineFraction: number): void {
    const { redis, keys, section, member, roles, clock, log } = this.opts;
    this.share = new DeviceShare({
      redis, keys, leases: new RedisLeaseStore(redis), group: section.group, member, roles, heartbeatMs: section.heartbeat,
      inventory: () => this.groupDevices(), schedule, handoff: this.handoff,
      settleMs: settleMs(this.opts.inventory(), deadlineFraction), clock, log,
    });
    this.share.start();
    log.info({ member, group: section.group, groupDevices: this.groupDevices().length, heartbeatMs: section.heartbeat }, 'cluster poller started');
  }

  /** Re-applies the share after an inventory reload. */
  inventoryChanged(): void { this.share?.inventoryChanged(); }

  /** `noctua_self` figures of the forwarder and its spool, and how many devices this poller holds. */
  selfSamples(instance: string, now: Date): Sample[] {
    const st = this.forwarder.stats();
    return [{ measurement: 'noctua_self', tags: { component: 'cluster_forwarder', instance, group: this.opts.section.group },
      fields: { spool_batches: st.records, spool_bytes: st.bytes, forwarded_batches: st.forwardedBatches, spooled_batches: st.spooledBatches, dropped_points: st.droppedPoints, online: st.online ? 1 : 0, devices: this.share?.heldDevices().length ?? 0 }, time: now }];
  }

  /** Leaves the group: waits for polls under way, saves counters, releases leases and the heartbeat (call once the scheduler stopped). */
  async leave(): Promise<void> { await this.share?.stop(); }
}
