import type { Redis } from 'ioredis';

/** What renewing a lease found: still ours, ours again (the key had vanished, e.g. Redis restarted empty), or someone else's. */
export type RenewOutcome = 'renewed' | 'reclaimed' | 'lost';

/** Expiring ownership of a key: the seam between lease logic and Redis (tests use an in-memory store). */
export interface LeaseStore {
  /** Takes the lease if nobody holds it. */
  acquire(key: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Many acquisitions at once (one round trip); true where taken, in the order of `keys`. */
  acquireMany(keys: readonly string[], owner: string, ttlMs: number): Promise<boolean[]>;
  /** Extends our lease; takes it back if it is free; reports 'lost' if another owner has it. */
  renew(key: string, owner: string, ttlMs: number): Promise<RenewOutcome>;
  /** Many renewals at once (one round trip); the outcomes in the order of `keys`. */
  renewMany(keys: readonly string[], owner: string, ttlMs: number): Promise<RenewOutcome[]>;
  /** Gives the lease up if it is still ours. */
  release(key: string, owner: string): Promise<boolean>;
  /** The current holder, if any. */
  holder(key: string): Promise<string | undefined>;
}

// Compare-and-extend must be atomic: a GET then PEXPIRE could extend a lease another owner took in between.
const RENEW = `
local v = redis.call('GET', KEYS[1])
if v == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
if not v then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 2 end
return 0`;
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

const OUTCOME: Record<number, RenewOutcome> = { 0: 'lost', 1: 'renewed', 2: 'reclaimed' };

/** Leases as Redis keys: `SET NX PX` to take, Lua scripts to renew and release only what is ours. */
export class RedisLeaseStore implements LeaseStore {
  constructor(private readonly redis: Redis) {}

  async acquire(key: string, owner: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(key, owner, 'PX', Math.ceil(ttlMs), 'NX')) === 'OK';
  }

  async acquireMany(keys: readonly string[], owner: string, ttlMs: number): Promise<boolean[]> {
    if (keys.length === 0) return [];
    const p = this.redis.pipeline();
    for (const k of keys) p.set(k, owner, 'PX', Math.ceil(ttlMs), 'NX');
    return ((await p.exec()) ?? []).map(([err, v]) => {
      if (err) throw err;
      return v === 'OK';
    });
  }

  async renew(key: string, owner: string, ttlMs: number): Promise<RenewOutcome> {
    return OUTCOME[Number(await this.redis.eval(RENEW, 1, key, owner, Math.ceil(ttlMs)))]!;
  }

  async renewMany(keys: readonly string[], owner: string, ttlMs: number): Promise<RenewOutcome[]> {
    if (keys.length === 0) return [];
    const p = this.redis.pipeline();
    for (const k of keys) p.eval(RENEW, 1, k, owner, Math.ceil(ttlMs));
    const res = (await p.exec()) ?? [];
    return res.map(([err, v]) => {
      if (err) throw err;
      return OUTCOME[Number(v)]!;
    });
  }

  async release(key: string, owner: string): Promise<boolean> {
    return Number(await this.redis.eval(RELEASE, 1, key, owner)) === 1;
  }

  async holder(key: string): Promise<string | undefined> {
    return (await this.redis.get(key)) ?? undefined;
  }
}
