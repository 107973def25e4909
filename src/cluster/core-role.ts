import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { ClusterSection } from '../config/sections/cluster.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { Sample } from '../core/sample.js';
import type { ClusterKeys } from './keys.js';
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

/**
 * The core side of a cluster: the leader lease (one core runs the writer, the alert engine and
 * escalation), the core heartbeat, and the stream consumer that feeds them once this core leads.
 */
export class CoreRole {
  readonly lease: LeaderLease;
  private consumer: StreamConsumer | undefined;
  private consumerRedis: Redis | undefined;
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

  /** Starts consuming every group's stream into `deliver` (writer + alert engine). */
  startConsuming(deliver: (samples: Sample[]) => Promise<void>): StreamConsumer {
    const { redis, keys, coreId, section, log } = this.opts;
    // XREADGROUP BLOCK holds a connection; the lease must renew on another one.
    this.consumerRedis = redis.duplicate();
    this.consumerRedis.on('error', () => { /* reported by the main connection */ });
    this.consumer = new StreamConsumer({
      redis: this.consumerRedis, keys, consumer: coreId, readCount: section.readCount,
      claimIdleMs: section.leaderLease, dedupWindowMs: section.dedupWindow, lingerMs: section.readLinger, deliver, log: log.child({ component: 'stream-consumer' }),
    });
    this.consumer.start();
    return this.consumer;
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

  /** Stops consuming (acknowledging what was delivered) and gives the lease up. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    await this.stopConsuming();
    await this.lease.release();
    try { await this.opts.redis.del(this.opts.keys.coreHeartbeat(this.opts.coreId)); } catch { /* expires */ }
  }
}
