import { LeaderLease } from '../cluster/leader-lease.js';
import { PgLeaseStore } from '../cluster/pg-lease.js';
import type { LoadedConfig } from '../config-check/load.js';
import { openStateDb, type Db } from '../core/database.js';
import { describePgUrl, PgStateStore, type FencedError } from '../core/state-store/index.js';
import type { RuntimeServices } from './services.js';

/** The lease key a standalone Noctua on PostgreSQL holds (a cluster core uses its Redis key prefix's `:leader`). */
export const STANDALONE_LEASE_KEY = 'noctua:leader';

/**
 * Opens the PostgreSQL state store when `state.store` is a URL (migrating its schema and rebuilding the local
 * working copy); undefined for the SQLite default, which stays exactly as it was. The caller registers
 * {@link closeSharedState} after its lease's closer, so what was committed is appended before the lease is given up.
 */
export async function openSharedState(cfg: LoadedConfig, s: RuntimeServices): Promise<PgStateStore | undefined> {
  const st = cfg.settings.state;
  if (st.store === 'sqlite') return undefined;
  try {
    return await PgStateStore.open({
      url: st.store, stateDir: cfg.stateDir, log: s.log.child({ component: 'state-store' }),
      snapshotEvery: st.snapshotEvery, snapshotInterval: st.snapshotInterval, tailInterval: st.tailInterval,
    });
  } catch (err) {
    throw new Error(`state.store: the PostgreSQL state store at ${describePgUrl(st.store)} did not open: ${(err as Error).message}`, { cause: err });
  }
}

/** Registers the store's closer: closed before the lease registered earlier, after every part registered later. */
export function closeSharedState(s: RuntimeServices, store: PgStateStore): void {
  s.closers.add('state store (PostgreSQL)', () => store.close(), 15_000);
}

/**
 * The state database of a standalone process: the SQLite file, or with PostgreSQL the working copy once this
 * process holds the lease there (a second standalone process on the same database waits as a standby, tailing).
 * `onLost` is called when the lease or a journal append says another process leads.
 */
export async function openStandaloneState(cfg: LoadedConfig, s: RuntimeServices, onLost: () => void): Promise<Db> {
  const store = await openSharedState(cfg, s);
  if (!store) return openStateDb(cfg.stateDir);
  s.closers.add('state store connections (PostgreSQL)', () => store.end());
  const { clock, log, closers } = s;
  const owner = cfg.settings.cluster.id ?? s.instance;
  const leases = new PgLeaseStore(store.pool);
  const lease = new LeaderLease({ store: leases, key: STANDALONE_LEASE_KEY, owner, ttlMs: cfg.settings.cluster.leaderLease, clock, log });
  store.startTailing();
  let announced = false;
  while ((await lease.step()) !== 'leader') {
    if (!announced) { log.info({ lease: STANDALONE_LEASE_KEY }, 'another Noctua holds the state lease in PostgreSQL: waiting as standby'); announced = true; }
    await new Promise((r) => setTimeout(r, lease.stepMs));
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const renew = async () => {
    if (stopped) return;
    if ((await lease.step()) === 'lost') { onLost(); return; }
    timer = setTimeout(() => void renew(), lease.stepMs);
  };
  timer = setTimeout(() => void renew(), lease.stepMs);
  closers.add('state lease (PostgreSQL)', async () => { stopped = true; clearTimeout(timer); await lease.release(); });
  closeSharedState(s, store);
  return leadOn(store, leases, STANDALONE_LEASE_KEY, onLost);
}

/** The working copy journaled under the epoch `leases` acquired for `key` (call once this core holds the lease). */
export function leadOn(store: PgStateStore, leases: PgLeaseStore, key: string, onFenced: (err: FencedError) => void): Promise<Db> {
  const epoch = leases.epochOf(key);
  if (epoch === undefined) throw new Error(`state store: leading without holding the lease "${key}"`);
  return store.lead({ key, epoch }, onFenced);
}
