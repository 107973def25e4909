import type { Pool } from 'pg';
import type { LeaseStore, RenewOutcome } from './lease.js';

/**
 * Leases as rows of `noctua_leases` in PostgreSQL, timed by the database's clock (hosts' clocks do not matter).
 * Every acquisition bumps the row's `epoch`; the row is never deleted, so epochs only grow. The state journal
 * appends only while the row's epoch is still the one this store acquired ({@link PgLeaseStore.epochOf}): a core
 * that lost the lease cannot write, even if it has not noticed yet.
 */
export class PgLeaseStore implements LeaseStore {
  private readonly epochs = new Map<string, { owner: string; epoch: number }>();

  constructor(private readonly pool: Pool) {}

  /** The epoch under which `key` was last acquired through this store, if it is still held here. */
  epochOf(key: string): number | undefined {
    return this.epochs.get(key)?.epoch;
  }

  async acquire(key: string, owner: string, ttlMs: number): Promise<boolean> {
    const r = await this.pool.query<{ epoch: string }>(`INSERT INTO noctua_leases AS l (key, owner, epoch, expires_at) VALUES ($1, $2, 1, now() + $3 * interval '1 millisecond')
      ON CONFLICT (key) DO UPDATE SET owner = excluded.owner, epoch = l.epoch + 1, expires_at = excluded.expires_at WHERE l.expires_at < now()
      RETURNING epoch`, [key, owner, Math.ceil(ttlMs)]);
    const row = r.rows[0];
    if (!row) return false;
    this.epochs.set(key, { owner, epoch: Number(row.epoch) });
    return true;
  }

  async acquireMany(keys: readonly string[], owner: string, ttlMs: number): Promise<boolean[]> {
    const out: boolean[] = [];
    for (const k of keys) out.push(await this.acquire(k, owner, ttlMs));
    return out;
  }

  /** Extends the lease if this store's epoch still holds it; an expired lease nobody took is still ours ('reclaimed'). */
  async renew(key: string, owner: string, ttlMs: number): Promise<RenewOutcome> {
    const mine = this.epochs.get(key);
    if (!mine || mine.owner !== owner) return 'lost';
    const r = await this.pool.query<{ was_expired: boolean }>(`UPDATE noctua_leases l SET expires_at = now() + $4 * interval '1 millisecond'
      FROM (SELECT key, expires_at < now() AS was_expired FROM noctua_leases WHERE key = $1 FOR UPDATE) old
      WHERE l.key = old.key AND l.owner = $2 AND l.epoch = $3 RETURNING old.was_expired`, [key, owner, mine.epoch, Math.ceil(ttlMs)]);
    const row = r.rows[0];
    if (!row) { this.epochs.delete(key); return 'lost'; }
    return row.was_expired ? 'reclaimed' : 'renewed';
  }

  async renewMany(keys: readonly string[], owner: string, ttlMs: number): Promise<RenewOutcome[]> {
    const out: RenewOutcome[] = [];
    for (const k of keys) out.push(await this.renew(k, owner, ttlMs));
    return out;
  }

  /** Lets the lease expire now (the row and its epoch stay), if this store's epoch still holds it. */
  async release(key: string, owner: string): Promise<boolean> {
    const mine = this.epochs.get(key);
    if (!mine) return false;
    this.epochs.delete(key);
    const r = await this.pool.query(`UPDATE noctua_leases SET expires_at = now() - interval '1 millisecond' WHERE key = $1 AND owner = $2 AND epoch = $3`, [key, owner, mine.epoch]);
    return (r.rowCount ?? 0) > 0;
  }

  async holder(key: string): Promise<string | undefined> {
    const r = await this.pool.query<{ owner: string }>('SELECT owner FROM noctua_leases WHERE key = $1 AND expires_at >= now()', [key]);
    return r.rows[0]?.owner;
  }
}
