import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { Device } from '../config/inventory-schema.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { CounterHandoff } from './counter-handoff.js';
import type { ClusterKeys } from './keys.js';
import type { LeaseStore } from './lease.js';
import { rendezvousSplit } from './rendezvous.js';

/** What one poller should do with the devices of its group, given who is alive. */
export interface SharePlan {
  /** The devices rendezvous hashing gives this poller. */
  mine: string[];
  /** Held but no longer ours: hand over. */
  release: string[];
  /** Ours but not yet held: try to take the lease. */
  acquire: string[];
}

/**
 * Plans one round: the poller's share by rendezvous hashing over the live members (itself included),
 * what to hand over and what to take. Taking waits while `mayAcquire` is false (just after Redis came
 * back, when peers have not re-registered yet and would look dead).
 */
export function planShare(input: { devices: readonly string[]; members: readonly string[]; me: string; held: ReadonlySet<string>; mayAcquire: boolean }): SharePlan {
  const members = input.members.includes(input.me) ? input.members : [...input.members, input.me];
  const mine = rendezvousSplit(input.devices, members).get(input.me) ?? [];
  const mineSet = new Set(mine);
  return {
    mine,
    release: [...input.held].filter((d) => !mineSet.has(d)).sort(),
    acquire: input.mayAcquire ? mine.filter((d) => !input.held.has(d)) : [],
  };
}

/** A member's heartbeat value, as JSON under its heartbeat key. */
export interface MemberBeat {
  id: string;
  group: string;
  roles: string[];
  host: string;
  pid: number;
  /** Devices this member holds leases for. */
  devices: number;
  startedAt: number;
  at: number;
}

/** Options of {@link DeviceShare}. */
export interface DeviceShareOptions {
  redis: Redis;
  keys: ClusterKeys;
  leases: LeaseStore;
  group: string;
  member: string;
  roles: string[];
  heartbeatMs: number;
  /** The devices of this poller's group from the current inventory. */
  inventory: () => readonly Device[];
  /** Replaces the set of devices the scheduler polls. */
  schedule: (devices: Device[]) => void;
  handoff: CounterHandoff;
  /** How long a handed-over device's last poll may take to finish (the longest poll deadline). */
  settleMs: number;
  clock: Clock;
  log: Logger;
}

/**
 * A poller's membership of its group and its share of the group's devices. Every half heartbeat it
 * renews its heartbeat key (TTL 1.5 heartbeats) and the leases of the devices it polls (same TTL),
 * reads who is alive, and moves devices: those it no longer owns are unscheduled, their last poll is
 * awaited and their counters saved before the lease is released; those it now owns are polled once
 * their lease is taken and their counters imported. A dead poller's key and leases are gone within one
 * heartbeat, and the next half-heartbeat round of a peer takes its devices over: within 1.5 heartbeats.
 */
export class DeviceShare {
  private readonly held = new Set<string>();
  /** Handed over, but the last poll or counter save is still under way: the lease is kept until then. */
  private readonly releasing = new Map<string, Promise<void>>();
  private timer: { cancel(): void } | undefined;
  private round: Promise<void> | undefined;
  private stopped = false;
  /** Since when Redis has answered without interruption (undefined: it is failing now). */
  private connectedSince: number | undefined;
  private liveMembers: string[] = [];
  private readonly startedAt: number;

  constructor(private readonly opts: DeviceShareOptions) {
    this.startedAt = opts.clock.ms();
  }

  private get ttlMs(): number { return Math.ceil(this.opts.heartbeatMs * 1.5); }

  /** Starts the rounds; the first runs at once. */
  start(): void {
    const loop = () => {
      if (this.stopped) return;
      this.round = this.step().finally(() => {
        this.round = undefined;
        if (!this.stopped) this.timer = this.opts.clock.setTimeout(loop, Math.max(50, Math.floor(this.opts.heartbeatMs / 2)));
      });
    };
    loop();
  }

  /** Devices this poller holds leases for. */
  heldDevices(): string[] { return [...this.held].sort(); }

  /** Live members of the group at the last round. */
  members(): string[] { return [...this.liveMembers]; }

  /** One round of heartbeat, lease renewal and rebalancing. Never throws. Public for tests. */
  async step(): Promise<void> {
    const { redis, keys, group, member, clock, log, leases } = this.opts;
    const now = clock.ms();
    try {
      const beat: MemberBeat = { id: member, group, roles: this.opts.roles, host: hostname(), pid: process.pid, devices: this.held.size, startedAt: this.startedAt, at: now };
      await redis.multi()
        .set(keys.heartbeat(group, member), JSON.stringify(beat), 'PX', this.ttlMs)
        .hset(keys.members(group), member, String(now))
        .sadd(keys.groups(), group)
        .exec();
      const known = await redis.hkeys(keys.members(group));
      const beats = known.length > 0 ? await redis.mget(...known.map((m) => keys.heartbeat(group, m))) : [];
      this.liveMembers = known.filter((_, i) => beats[i] !== null).sort();
      // Renew (or reclaim after a Redis restart) what we hold; a lease another poller has is gone for us.
      const heldNow = [...this.held];
      const outcomes = await leases.renewMany([...heldNow, ...this.releasing.keys()].map((d) => keys.deviceLease(d)), member, this.ttlMs);
      const lost = heldNow.filter((_, i) => outcomes[i] === 'lost');
      if (lost.length > 0) {
        for (const d of lost) this.held.delete(d);
        this.apply();
        log.warn({ devices: lost }, 'device leases held by another poller now: stopped polling them');
      }
      if (this.connectedSince === undefined) this.connectedSince = now;
    } catch (err) {
      if (this.connectedSince !== undefined || now - this.startedAt < this.opts.heartbeatMs) log.warn({ err: (err as Error).message }, 'cluster round failed (Redis unreachable?): polling the devices held until it answers');
      this.connectedSince = undefined;
      return;
    }
    if (this.stopped) return;
    const devices = this.opts.inventory();
    const byName = new Map(devices.map((d) => [d.name, d]));
    // After an outage peers need one TTL to re-register; until then they would look dead and we would grab their share.
    const mayAcquire = now - this.connectedSince >= this.ttlMs;
    const plan = planShare({ devices: [...byName.keys()], members: this.liveMembers, me: member, held: this.held, mayAcquire });
    try {
      if (plan.release.length > 0) this.release(plan.release);
      const acquire = plan.acquire.filter((d) => !this.releasing.has(d));
      if (acquire.length > 0) await this.acquire(acquire);
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'rebalancing interrupted (Redis unreachable?); continuing next round');
    }
  }

  private apply(): void {
    const byName = new Map(this.opts.inventory().map((d) => [d.name, d]));
    this.opts.schedule([...this.held].map((n) => byName.get(n)).filter((d): d is Device => d !== undefined));
  }

  /** Unschedules at once; each lease goes once the device's last poll and counter save are done (in the background, renewed meanwhile). */
  private release(names: string[]): void {
    const { leases, keys, member, handoff, log, settleMs } = this.opts;
    for (const n of names) this.held.delete(n);
    this.apply();
    for (const n of names) {
      const p = (async () => {
        await handoff.settle(n, settleMs);
        await leases.release(keys.deviceLease(n), member);
      })().catch((err: unknown) => log.debug({ err, device: n }, 'lease release failed; it expires on its own')).finally(() => this.releasing.delete(n));
      this.releasing.set(n, p);
    }
    log.info({ devices: names.length, members: this.liveMembers.length }, 'handing devices over to other pollers');
  }

  /** Re-applies the device set after an inventory reload (changed settings of held devices). */
  inventoryChanged(): void { this.apply(); }

  private async acquire(names: string[]): Promise<void> {
    const { leases, keys, member, handoff, log } = this.opts;
    const got = await leases.acquireMany(names.map((n) => keys.deviceLease(n)), member, this.ttlMs);
    const taken = names.filter((_, i) => got[i]);
    if (taken.length === 0) return;
    const imported = await handoff.adopt(taken);
    for (const n of taken) this.held.add(n);
    this.apply();
    log.info({ devices: taken.length, withCounters: imported, members: this.liveMembers.length, waiting: names.length - taken.length }, 'took devices over');
  }

  /**
   * Leaves the group cleanly: stops the rounds, waits for polls under way, saves counters and releases
   * every lease and the heartbeat, so peers take the devices over at their next round.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    await this.round;
    const names = [...this.held];
    const { leases, keys, member, group, handoff, redis } = this.opts;
    this.held.clear();
    try {
      await Promise.all(this.releasing.values());
      await Promise.all(names.map((n) => handoff.settle(n, this.opts.settleMs)));
      await Promise.all(names.map((n) => leases.release(keys.deviceLease(n), member)));
      await redis.del(keys.heartbeat(group, member));
    } catch (err) {
      this.opts.log.warn({ err: (err as Error).message }, 'could not release leases at stop; they expire on their own');
    }
  }
}
