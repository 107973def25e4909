import pg from 'pg';
import { setDurableGate, type Db } from '../database.js';
import type { Logger } from '../log.js';
import { captureWrites } from './capture.js';
import { JournalWriter, type Fence, type FencedError } from './journal.js';
import { migratePg } from './pg-schema.js';
import { storeSnapshot, WorkingCopy } from './replica.js';

export { FencedError, type Fence } from './journal.js';

/** A PostgreSQL URL for messages: host, port and database, never the user or password. */
export function describePgUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch { return '(unparsable URL)'; }
}

/** Options of {@link PgStateStore.open}. */
export interface PgStateStoreOptions {
  url: string;
  stateDir: string;
  log: Logger;
  /** A snapshot is stored after this many journal entries... */
  snapshotEvery: number;
  /** ...or this long after the last one, if anything was written since. */
  snapshotInterval: number;
  /** How often a standby reads the journal's new entries. */
  tailInterval: number;
}

/**
 * PostgreSQL as the shared durable store of the state (docs/SCALE.md "State on PostgreSQL"): the core works on a
 * local SQLite copy; as leader every committed local transaction is appended to the journal in PostgreSQL, fenced by
 * the lease epoch; as standby it tails the journal into its copy, so taking the lease continues every clock and
 * outbox entry where the leader left them.
 */
export class PgStateStore {
  private writer: JournalWriter | undefined;
  private tailing: { stop: boolean; done: Promise<void> } | undefined;
  private lastSnapshot = { seq: 0, at: Date.now() };

  private constructor(readonly pool: pg.Pool, private readonly copy: WorkingCopy, private readonly opts: PgStateStoreOptions) {
  }

  /** Connects, migrates the PostgreSQL schema (under its advisory lock) and rebuilds the local working copy. */
  static async open(opts: PgStateStoreOptions): Promise<PgStateStore> {
    const pool = new pg.Pool({ connectionString: opts.url, max: 4, connectionTimeoutMillis: 5000 });
    pool.on('error', (err) => opts.log.warn({ err }, 'PostgreSQL connection error'));
    try {
      await migratePg(pool);
      const copy = new WorkingCopy(pool, opts.stateDir, opts.log);
      await copy.rebuild();
      const store = new PgStateStore(pool, copy, opts);
      store.lastSnapshot = { seq: copy.position, at: Date.now() };
      return store;
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw err;
    }
  }

  /** The working copy's raw connection, for reading (a standby's state; writes on it would not be journaled). */
  get workingCopy(): Db { return this.copy.db; }

  /** Sequence number of the last journal entry in the working copy. */
  get position(): number { return this.writer?.captured ?? this.copy.position; }

  /** Sequence number of the last entry committed in PostgreSQL (the leader's; a standby's position otherwise). */
  pushedPosition(): Promise<number> { return Promise.resolve(this.writer?.pushed ?? this.copy.position); }

  /** Journal statistics of the leader (appends and entries committed). */
  get stats(): { appends: number; entries: number } | undefined { return this.writer?.stats; }

  /** Standby: applies new journal entries every `tailInterval` until {@link lead}. */
  startTailing(): void {
    if (this.tailing || this.writer) return;
    const t = { stop: false, done: Promise.resolve() };
    t.done = (async () => {
      let failing = false;
      while (!t.stop) {
        try {
          await this.copy.catchUp();
          failing = false;
        } catch (err) {
          if (!failing) this.opts.log.warn({ err }, 'standby could not read the state journal: retrying');
          failing = true;
        }
        if (!t.stop) await new Promise((r) => setTimeout(r, this.opts.tailInterval));
      }
    })();
    this.tailing = t;
  }

  /**
   * Leader: stops tailing, applies the rest of the journal (the lease is ours, so nothing more is appended by anyone
   * else) and returns the working copy wrapped so every committed transaction is journaled under the lease `fence`
   * (its key in `noctua_leases` and the epoch this core acquired, src/cluster/pg-lease.ts). `onFenced` is called once
   * if PostgreSQL refuses an append.
   */
  async lead(fence: Fence, onFenced: (err: FencedError) => void): Promise<Db> {
    const { key: leaseKey, epoch } = fence;
    if (this.tailing) { this.tailing.stop = true; await this.tailing.done; this.tailing = undefined; }
    await this.copy.catchUp();
    const raw = this.copy.db;
    const writer = new JournalWriter({
      pool: this.pool, fence, nextSeq: this.copy.position + 1, log: this.opts.log, onFenced,
      idle: async (seq) => {
        const due = seq - this.lastSnapshot.seq >= this.opts.snapshotEvery || (seq > this.lastSnapshot.seq && Date.now() - this.lastSnapshot.at >= this.opts.snapshotInterval);
        // Only an image of exactly `seq` entries: nothing captured since, no transaction open.
        if (!due || writer.captured !== seq || raw.inTransaction) return;
        const image = raw.serialize();
        await storeSnapshot(this.pool, fence, seq, image);
        this.lastSnapshot = { seq, at: Date.now() };
        this.opts.log.info({ seq, bytes: image.length }, 'state snapshot stored in PostgreSQL');
      },
    });
    this.writer = writer;
    const db = captureWrites(raw, (ops) => writer.capture(ops));
    setDurableGate(db, () => writer.durable());
    this.opts.log.info({ lease: leaseKey, epoch, position: this.copy.position }, 'state store leading: local writes are journaled to PostgreSQL');
    return db;
  }

  /** Resolves when every captured write is in PostgreSQL (immediately on a standby). */
  durable(): Promise<void> {
    return this.writer?.durable() ?? Promise.resolve();
  }

  /** Stops tailing and appends what is captured (bounded: PostgreSQL away at shutdown leaves it to the next leader's copy). */
  async close(): Promise<void> {
    if (this.tailing) { this.tailing.stop = true; await this.tailing.done; this.tailing = undefined; }
    const w = this.writer;
    if (w) await Promise.race([w.close(), new Promise((r) => setTimeout(r, 10_000).unref())]);
  }

  /** Ends the connection pool (after {@link close} and after the lease was given up). */
  async end(): Promise<void> {
    await this.close();
    await this.pool.end().catch(() => undefined);
  }

  /** Closes the working copy (a standby that stops before it led). */
  closeCopy(): void {
    if (this.copy.db.open) this.copy.db.close();
  }
}
