import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { LeaderLease } from '../../src/cluster/leader-lease.js';
import type { LeaseStore, RenewOutcome } from '../../src/cluster/lease.js';

/** Leases in memory on a fake clock, with a switch that makes every call fail like an unreachable Redis. */
class MemoryLeaseStore implements LeaseStore {
  readonly entries = new Map<string, { owner: string; until: number }>();
  down = false;
  constructor(private readonly clock: FakeClock) {}
  private live(key: string) {
    if (this.down) throw new Error('ECONNREFUSED');
    const e = this.entries.get(key);
    if (e && e.until <= this.clock.ms()) { this.entries.delete(key); return undefined; }
    return e;
  }
  async acquire(key: string, owner: string, ttlMs: number) {
    if (this.live(key)) return false;
    this.entries.set(key, { owner, until: this.clock.ms() + ttlMs });
    return true;
  }
  async acquireMany(keys: readonly string[], owner: string, ttlMs: number) { return Promise.all(keys.map((k) => this.acquire(k, owner, ttlMs))); }
  async renew(key: string, owner: string, ttlMs: number): Promise<RenewOutcome> {
    const e = this.live(key);
    if (e && e.owner !== owner) return 'lost';
    this.entries.set(key, { owner, until: this.clock.ms() + ttlMs });
    return e ? 'renewed' : 'reclaimed';
  }
  async renewMany(keys: readonly string[], owner: string, ttlMs: number) { return Promise.all(keys.map((k) => this.renew(k, owner, ttlMs))); }
  async release(key: string, owner: string) {
    const e = this.live(key);
    if (!e || e.owner !== owner) return false;
    this.entries.delete(key);
    return true;
  }
  async holder(key: string) { return this.live(key)?.owner; }
  /** Redis restarted without the key (or the key expired while it was down). */
  forget(key: string) { this.entries.delete(key); }
}

const TTL = 3000;
function setup() {
  const clock = new FakeClock();
  const store = new MemoryLeaseStore(clock);
  const make = (owner: string) => new LeaderLease({ store, key: 'noctua:leader', owner, ttlMs: TTL, clock });
  return { clock, store, a: make('core-a'), b: make('core-b') };
}

describe('leader lease', () => {
  it('gives the lease to one core; the other stays standby while the leader renews', async () => {
    const { clock, a, b } = setup();
    expect(await a.step()).toBe('leader');
    expect(await b.step()).toBe('standby');
    for (let i = 0; i < 10; i++) {
      await clock.advance(a.stepMs);
      expect(await a.step()).toBe('leader');
      expect(await b.step()).toBe('standby');
    }
  });

  it('the standby takes over once the leader stops renewing and the TTL passed, not before', async () => {
    const { clock, a, b, store } = setup();
    await a.step();
    await clock.advance(TTL - 1);
    expect(await b.step()).toBe('standby');
    await clock.advance(1);
    expect(await b.step()).toBe('leader');
    expect(await store.holder('noctua:leader')).toBe('core-b');
    // The old leader, back from a pause, learns it lost and steps down for good.
    expect(await a.step()).toBe('lost');
    expect(await a.step()).toBe('lost');
  });

  it('a clean release lets the standby take over at its next step', async () => {
    const { a, b } = setup();
    await a.step();
    await a.release();
    expect(await b.step()).toBe('leader');
  });

  it('while Redis is unreachable the leader keeps leading; afterwards it reclaims before the standby may try', async () => {
    const { clock, a, b, store } = setup();
    await a.step();
    store.down = true;
    await clock.advance(a.stepMs);
    expect(await a.step()).toBe('leader');
    expect(await b.step()).toBe('standby');
    await clock.advance(10_000);
    expect(await b.step()).toBe('standby');
    store.down = false;
    store.forget('noctua:leader');
    // The standby saw Redis fail moments ago: it waits a full TTL of good answers.
    expect(await b.step()).toBe('standby');
    expect(await a.step()).toBe('leader');
    expect(await store.holder('noctua:leader')).toBe('core-a');
    for (let i = 0; i < 4; i++) {
      await clock.advance(a.stepMs);
      expect(await a.step()).toBe('leader');
      expect(await b.step()).toBe('standby');
    }
  });

  it('a standby that never saw Redis fail takes a lease nobody holds at once', async () => {
    const { b } = setup();
    expect(await b.step()).toBe('leader');
  });
});
