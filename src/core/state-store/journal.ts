import type { Pool, PoolClient } from 'pg';
import type { Logger } from '../log.js';
import { encodeEntry, type JournalOp } from './entry.js';

/** The lease row this core's appends are fenced by. */
export interface Fence { key: string; epoch: number }

/** Thrown by {@link JournalWriter.durable} once PostgreSQL refused an append: another core holds the lease. */
export class FencedError extends Error {
  constructor(readonly fence: Fence, readonly current: number | undefined) {
    super(`state journal append refused: lease "${fence.key}" is at epoch ${current ?? 'none'}, this core holds epoch ${fence.epoch}`);
  }
}

/** Options of {@link JournalWriter}. */
export interface JournalWriterOptions {
  pool: Pool;
  fence: Fence;
  /** Sequence number of the first entry this writer appends (the working copy's position + 1). */
  nextSeq: number;
  log: Logger;
  /** Called once when an append is refused. */
  onFenced: (err: FencedError) => void;
  /** Most entries per PostgreSQL transaction. */
  batch?: number;
  /** Called after each committed append while nothing is waiting; a snapshot may be taken here. */
  idle?: (pushedSeq: number) => Promise<void>;
}

interface Waiter { target: number; resolve: () => void; reject: (e: Error) => void }

/**
 * Appends the working copy's committed transactions to `noctua_journal` in order, several per PostgreSQL
 * transaction, each append checking in the same transaction (`FOR SHARE` on the lease row, which an acquisition's
 * update must wait for) that the lease epoch is still this core's. {@link durable} is the gate of outside effects.
 */
export class JournalWriter {
  private readonly queue: { seq: number; entry: Buffer }[] = [];
  private nextSeq: number;
  private pushedSeq: number;
  private waiters: Waiter[] = [];
  private running: Promise<void> | undefined;
  private again = false;
  private fenced: FencedError | undefined;
  private closed = false;
  private retryMs = 100;
  /** Appends committed and entries written, for self metrics and the benchmark. */
  readonly stats = { appends: 0, entries: 0 };

  constructor(private readonly opts: JournalWriterOptions) {
    this.nextSeq = opts.nextSeq;
    this.pushedSeq = opts.nextSeq - 1;
  }

  /** Sequence number of the last entry committed in PostgreSQL. */
  get pushed(): number { return this.pushedSeq; }
  /** Sequence number of the last entry captured (committed locally). */
  get captured(): number { return this.nextSeq - 1; }
  /** True while captured entries wait to be appended. */
  get behind(): boolean { return this.queue.length > 0; }

  /** Takes one committed local transaction (synchronously, in commit order) and schedules its append. */
  capture(ops: JournalOp[]): void {
    this.queue.push({ seq: this.nextSeq++, entry: encodeEntry(ops) });
    this.kick();
  }

  /**
   * Resolves once every entry captured before the call is in PostgreSQL and the lease epoch was confirmed
   * after the call; rejects with {@link FencedError} if another core holds the lease.
   */
  durable(): Promise<void> {
    if (this.fenced) return Promise.reject(this.fenced);
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ target: this.nextSeq - 1, resolve, reject });
      this.kick();
    });
  }

  /** Waits until everything captured is appended (or the writer is fenced), then stops. */
  async close(): Promise<void> {
    if (!this.fenced) await this.durable().catch(() => undefined);
    this.closed = true;
    await this.running;
  }

  private kick(): void {
    if (this.fenced || this.closed) return;
    if (this.running) { this.again = true; return; }
    this.running = this.loop().finally(() => { this.running = undefined; });
  }

  private async loop(): Promise<void> {
    // Starts after the current synchronous work, so one event-loop turn's commits share an append.
    await Promise.resolve();
    for (;;) {
      this.again = false;
      if (this.fenced || (this.queue.length === 0 && this.waiters.length === 0)) return;
      // Waiters registered from here on need a later round: this round's epoch check may precede their call.
      const waiters = this.waiters;
      this.waiters = [];
      try {
        await this.round();
        this.retryMs = 100;
      } catch (err) {
        this.waiters.unshift(...waiters);
        if (err instanceof FencedError) { this.fence(err); return; }
        this.opts.log.warn({ err, behind: this.queue.length }, 'PostgreSQL did not take the state journal append: retrying');
        await new Promise((r) => setTimeout(r, this.retryMs));
        this.retryMs = Math.min(5000, this.retryMs * 2);
        continue;
      }
      for (const w of waiters) {
        if (w.target <= this.pushedSeq) w.resolve();
        else this.waiters.push(w);
      }
      if (this.queue.length === 0 && this.waiters.length === 0 && this.opts.idle) {
        await this.opts.idle(this.pushedSeq).catch((err: unknown) => {
          if (err instanceof FencedError) this.fence(err);
          else this.opts.log.warn({ err }, 'state snapshot not stored: the journal keeps growing until the next one');
        });
      }
      if (!this.again && this.queue.length === 0 && this.waiters.length === 0) return;
    }
  }

  /**
   * One statement, so one round trip: the lease row is locked `FOR SHARE` only if its epoch is still ours, and the
   * entries are inserted only through that row. No row inserted means the epoch moved on: fenced. With nothing to
   * append (a {@link durable} barrier) the epoch is read alone.
   */
  private async round(): Promise<void> {
    const { pool, fence } = this.opts;
    const take = this.queue.slice(0, this.opts.batch ?? 500);
    if (take.length === 0) {
      await checkEpoch(pool, fence);
    } else {
      const values = take.map((_, i) => `($${i * 2 + 3}::bigint, $${i * 2 + 4}::bytea)`).join(',');
      const r = await pool.query(`WITH f AS (SELECT epoch FROM noctua_leases WHERE key = $1 AND epoch = $2 FOR SHARE)
        INSERT INTO noctua_journal (seq, epoch, entry) SELECT v.seq, f.epoch, v.entry FROM f, (VALUES ${values}) AS v(seq, entry)`,
      [fence.key, fence.epoch, ...take.flatMap((e) => [e.seq, e.entry])]).catch(async (err: unknown) => {
        // The previous try committed but its answer was lost: the rows are there under our epoch.
        if ((err as { code?: string }).code !== '23505') throw err;
        const n = await pool.query<{ n: string }>('SELECT COUNT(*) AS n FROM noctua_journal WHERE seq = ANY($1::bigint[]) AND epoch = $2', [take.map((e) => e.seq), fence.epoch]);
        if (Number(n.rows[0]!.n) !== take.length) throw err;
        return { rowCount: take.length };
      });
      if ((r.rowCount ?? 0) !== take.length) await checkEpoch(pool, fence).then(() => { throw new Error(`state journal append wrote ${r.rowCount} of ${take.length} entries`); });
      this.queue.splice(0, take.length);
      this.pushedSeq = take[take.length - 1]!.seq;
      this.stats.entries += take.length;
    }
    this.stats.appends++;
  }

  private fence(err: FencedError): void {
    if (this.fenced) return;
    this.fenced = err;
    for (const w of this.waiters) w.reject(err);
    this.waiters = [];
    this.opts.log.fatal({ lease: err.fence.key, epoch: err.fence.epoch, current: err.current, unsent: this.queue.length }, 'state journal append refused: another core holds the lease; stepping down');
    this.opts.onFenced(err);
  }
}

/**
 * Throws {@link FencedError} unless the lease row's epoch is `fence.epoch`; inside a transaction the row stays
 * locked against a concurrent acquisition until it ends.
 */
export async function checkEpoch(c: Pool | PoolClient, fence: Fence): Promise<void> {
  const r = await c.query<{ epoch: string }>('SELECT epoch FROM noctua_leases WHERE key = $1 FOR SHARE', [fence.key]);
  const current = r.rows[0] ? Number(r.rows[0].epoch) : undefined;
  if (current !== fence.epoch) throw new FencedError(fence, current);
}
