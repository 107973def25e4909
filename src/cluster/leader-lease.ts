import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { LeaseStore } from './lease.js';

/** Where a core stands after one step of {@link LeaderLease}. */
export type LeaderState = 'standby' | 'leader' | 'lost';

/** Options of {@link LeaderLease}. */
export interface LeaderLeaseOptions {
  store: LeaseStore;
  key: string;
  /** This core's id, the value stored under the lease key. */
  owner: string;
  ttlMs: number;
  clock: Clock;
  log?: Logger;
}

/**
 * The leader lease of the alert engine: one core holds it and renews it every third of its TTL; a
 * standby takes it when it has expired. Two rules keep two leaders apart:
 * - the leader steps down only when Redis *answers* that another core holds the lease; while Redis is
 *   unreachable nobody else can take it either, so the leader carries on;
 * - after Redis was unreachable a standby waits one full TTL of good answers before taking the lease, so
 *   the leader (which reclaims a vanished key at once) gets it back after a Redis restart instead of a
 *   needless failover.
 */
export class LeaderLease {
  private state: LeaderState = 'standby';
  /** When Redis last failed to answer (-Infinity: never). */
  private lastErrorAt = -Infinity;

  constructor(private readonly opts: LeaderLeaseOptions) {}

  /** The current state. */
  get current(): LeaderState { return this.state; }

  /** How often {@link step} should run. */
  get stepMs(): number { return Math.max(100, Math.floor(this.opts.ttlMs / 3)); }

  /** One round: acquire (standby) or renew (leader). Never throws; a Redis failure is remembered. */
  async step(): Promise<LeaderState> {
    const { store, key, owner, ttlMs, clock, log } = this.opts;
    if (this.state === 'lost') return this.state;
    try {
      if (this.state === 'leader') {
        const r = await store.renew(key, owner, ttlMs);
        if (r === 'lost') {
          this.state = 'lost';
          log?.error({ lease: key, holder: await store.holder(key).catch(() => undefined) }, 'leader lease lost to another core: stepping down');
        } else if (r === 'reclaimed') {
          log?.warn({ lease: key }, 'leader lease had vanished (Redis restarted empty?): reclaimed it');
        }
        return this.state;
      }
      if (clock.ms() - this.lastErrorAt < ttlMs) return this.state;
      if (await store.acquire(key, owner, ttlMs)) {
        this.state = 'leader';
        log?.info({ lease: key, owner }, 'leader lease taken: this core runs the alert engine');
      }
    } catch (err) {
      if (clock.ms() - this.lastErrorAt >= ttlMs) log?.warn({ err, lease: key, state: this.state }, 'Redis unreachable: leader lease state unchanged until it answers');
      this.lastErrorAt = clock.ms();
    }
    return this.state;
  }

  /** Gives the lease up (a clean stop), so the standby need not wait for it to expire. */
  async release(): Promise<void> {
    if (this.state !== 'leader') return;
    this.state = 'lost';
    try { await this.opts.store.release(this.opts.key, this.opts.owner); } catch { /* it expires on its own */ }
  }
}
