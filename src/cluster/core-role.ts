import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { ClusterSection } from '../config/sections/cluster.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { Sample } from '../core/sample.js';
import { CORE_CONSUMER_GROUP, ENGINE_CONSUMER_GROUP, type ClusterKeys } from './keys.js';
import { LeaderLease } from './leader-lease.js';
import { RedisLeaseStore, type LeaseStore } from './lease.js';
import { clusterSelfSamples, readClusterStatus } from './status.js';
import { StreamConsumer } from './stream-consumer.js';

/** Options of {@link CoreRole}. */
export interface CoreRoleOptions {
  redis: Redis;
  keys: ClusterKeys;
  coreId: string;
  section: ClusterSection;
  clock: Clock;
  log: Logger;
  /** Where the leader lease lives: Redis (default) or, with the state on PostgreSQL, PostgreSQL (src/cluster/pg-lease.ts). */
  leaseStore?: LeaseStore;
}

/** The consumer groups on every stream with `consume: split`: the writers' and the leader's engine's. */
const SPLIT_GROUPS = [CORE_CONSUMER_GROUP, ENGINE_CONSUMER_GROUP] as const;

/**
 * The core side of a cluster: the leader lease (one core runs the writer, the alert engine and
 * escalation), the core heartbeat, and the stream consumer that feeds them once this core leads.
 */
export class CoreRole {
  readonly lease: LeaderLease;
  private consumer: StreamConsumer | undefined;
  private consumerRedis: Redis | undefined;
  private writer: StreamConsumer | undefined;
  private writerRedis: Redis | undefined;
  private timer: { cancel(): void } | undefined;
  private stopped = false;

  constructor(private readonly opts: CoreRoleOptions) {
    this.lease = new LeaderLease({ store: opts.leaseStore ?? new RedisLeaseStore(opts.redis), key: opts.keys.leader(), owner: opts.coreId, ttlMs: opts.section.leaderLease, clock: opts.clock, log: opts.log });
  }

  private async beat(): Promise<void> {
    const { redis, keys, coreId, section, clock } = this.opts;
    try {
      await redis.multi()
        .set(keys.coreHeartbeat(coreId), JSON.stringify({ id: coreId, host: hostname(), pid: process.pid, state: this.lease.current }), 'PX', section.leaderLease)
        .hset(keys.cores(), coreId, String(clock.ms()))
        .exec();
    } catch { /* the lease step reports Redis trouble */ }
  }

  /**
   * Waits until this core holds the leader lease (a standby waits here for as long as the leader lives).
   * Resolves false if `signal` aborts first.
   */
  async waitForLeadership(signal?: AbortSignal): Promise<boolean> {
    let announced = false;
    // Bounded by the signal: a standby is meant to wait as long as the leader lives.
    while (!signal?.aborted && !this.stopped) {
      await this.beat();
      if ((await this.lease.step()) === 'leader') return true;
      if (!announced) { this.opts.log.info({ lease: this.opts.keys.leader(), ttlMs: this.opts.section.leaderLease }, 'standby core: waiting for the leader lease'); announced = true; }
      await new Promise<void>((r) => {
        const t = this.opts.clock.setTimeout(r, this.lease.stepMs);
        signal?.addEventListener('abort', () => { t.cancel(); r(); }, { once: true });
      });
    }
    return false;
  }

  /** Keeps renewing the lease; calls `onLost` once if another core took it. */
  keepLeading(onLost: () => void): void {
    const loop = async () => {
      if (this.stopped) return;
      await this.beat();
      if ((await this.lease.step()) === 'lost') { if (!this.stopped) onLost(); return; }
      if (!this.stopped) this.timer = this.opts.clock.setTimeout(() => void loop(), this.lease.stepMs);
    };
    this.timer = this.opts.clock.setTimeout(() => void loop(), this.lease.stepMs);
  }

  /** A connection of its own: XREADGROUP BLOCK holds it, and the lease must renew on another one. */
  private connection(): Redis {
    const r = this.opts.redis.duplicate();
    r.on('error', () => { /* reported by the main connection */ });
    return r;
  }

  /**
   * Leader only: starts consuming every group's stream into `deliver`. With `consume: single` that is the
   * writer and the alert engine, through the group `core`; with `split` only the engine (and what else reads
   * every sample: latest values, device states), through the group `engine`, while {@link startWriting} writes.
   */
  startConsuming(deliver: (samples: Sample[]) => Promise<void>): StreamConsumer {
    const { keys, coreId, section, log } = this.opts;
    const split = section.consume === 'split';
    this.consumerRedis = this.connection();
    this.consumer = new StreamConsumer({
      redis: this.consumerRedis, keys, consumer: coreId, readCount: section.readCount, mode: 'sole',
      ...(split ? { group: ENGINE_CONSUMER_GROUP, groups: SPLIT_GROUPS } : {}),
      claimIdleMs: section.leaderLease, dedupWindowMs: section.dedupWindow, lingerMs: section.readLinger, deliver, log: log.child({ component: 'stream-consumer' }),
    });
    this.consumer.start();
    return this.consumer;
  }

  /**
   * `consume: split`, every core (leader or standby): writes its share of every group's stream through the
   * group `core`, beside the other cores; entries a dead core left pending are claimed after `claimIdle`.
   */
  startWriting(write: (samples: Sample[]) => Promise<void>): StreamConsumer {
    const { keys, coreId, section, log } = this.opts;
    this.writerRedis = this.connection();
    this.writer = new StreamConsumer({
      redis: this.writerRedis, keys, consumer: coreId, readCount: section.readCount, mode: 'shared', group: CORE_CONSUMER_GROUP, groups: SPLIT_GROUPS,
      claimIdleMs: section.claimIdle, dedupWindowMs: section.dedupWindow, lingerMs: section.readLinger, deliver: write, log: log.child({ component: 'stream-writer' }),
    });
    this.writer.start();
    return this.writer;
  }

  /** Stops writing after the write under way; what this core read but did not write waits for another core's claim. */
  async stopWriting(): Promise<void> {
    await this.writer?.stop();
    this.writerRedis?.disconnect();
  }

  /** `noctua_self` samples of the cluster as Redis sees it (empty when Redis does not answer). */
  async selfSamples(instance: string, now: Date): Promise<Sample[]> {
    try { return clusterSelfSamples(await readClusterStatus(this.opts.redis, this.opts.keys), instance, now); } catch { return []; }
  }

  /**
   * Stops consuming after the delivery under way and acknowledges only what was delivered; the rest waits in
   * the stream for the next leader. The lease is still renewed until {@link stop}.
   */
  async stopConsuming(): Promise<void> {
    await this.consumer?.stop();
    this.consumerRedis?.disconnect();
  }

  /** Stops consuming and writing (acknowledging what was delivered) and gives the lease up. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    await this.stopConsuming();
    await this.stopWriting();
    await this.lease.release();
    try { await this.opts.redis.del(this.opts.keys.coreHeartbeat(this.opts.coreId)); } catch { /* expires */ }
  }
}
