import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Pool } from 'pg';
import { openStateDb, type Db } from '../database.js';
import type { Logger } from '../log.js';
import { EntryApplier } from './entry.js';
import { checkEpoch, type Fence } from './journal.js';
import { inPgTransaction } from './pg-schema.js';

/** Most journal entries read per query while catching up. */
const PAGE = 1000;

/**
 * The core's local SQLite working copy of the state in PostgreSQL: rebuilt at start from the latest snapshot and
 * the journal after it, then kept current by {@link catchUp} (the standby tails continuously). Whatever the file
 * held before is discarded: a core killed while leading may have committed locally what never reached PostgreSQL.
 */
export class WorkingCopy {
  db!: Db;
  /** Sequence number of the last journal entry applied. */
  position = 0;
  private applier!: EntryApplier;

  constructor(private readonly pool: Pool, private readonly stateDir: string, private readonly log: Logger, private readonly file = 'noctua.db') {}

  /** Replaces the local file with the latest snapshot (an empty database if none) and applies the journal after it. */
  async rebuild(): Promise<void> {
    if (this.db?.open) this.db.close();
    const path = join(this.stateDir, this.file);
    for (const f of [path, `${path}-wal`, `${path}-shm`, `${path}-journal`]) rmSync(f, { force: true });
    const snap = (await this.pool.query<{ seq: string; image: Buffer }>('SELECT seq, image FROM noctua_snapshots ORDER BY seq DESC LIMIT 1')).rows[0];
    this.db = openStateDb(this.stateDir, this.file);
    if (snap) {
      this.db.close();
      // openStateDb made the 0700 directory and the 0600 file; the image replaces its (empty) content.
      writeFileSync(path, snap.image);
      this.db = openStateDb(this.stateDir, this.file);
    }
    this.position = snap ? Number(snap.seq) : 0;
    this.applier = new EntryApplier(this.db);
    const applied = await this.catchUp();
    this.log.info({ snapshot: snap ? this.position - applied : undefined, applied, position: this.position }, 'state working copy rebuilt from PostgreSQL');
  }

  /**
   * Applies every journal entry after {@link position}; rebuilds from the snapshot when the entries it needs were
   * pruned (the next entry is not position + 1). Returns how many entries were applied.
   */
  async catchUp(): Promise<number> {
    let applied = 0;
    for (;;) {
      const rows = (await this.pool.query<{ seq: string; entry: Buffer }>('SELECT seq, entry FROM noctua_journal WHERE seq > $1 ORDER BY seq LIMIT $2', [this.position, PAGE])).rows;
      if (rows.length === 0) return applied;
      if (Number(rows[0]!.seq) !== this.position + 1) {
        this.log.warn({ position: this.position, next: Number(rows[0]!.seq) }, 'state journal pruned past this working copy: rebuilding from the snapshot');
        await this.rebuild();
        return applied;
      }
      // Contiguous entries only: a hole means a row not yet visible, read again next time.
      let n = 0;
      while (n < rows.length && Number(rows[n]!.seq) === this.position + n + 1) n++;
      this.applier.apply(rows.slice(0, n).map((r) => r.entry));
      this.position += n;
      applied += n;
      if (rows.length < PAGE) return applied;
    }
  }
}

/**
 * Stores an image of the working copy as the snapshot at `seq` (checked against the lease in the same transaction)
 * and prunes what a newer core no longer needs: journal entries up to the previous snapshot, and older snapshots.
 * One snapshot's worth of entries is kept so a standby tailing a little behind is not forced to rebuild.
 */
export async function storeSnapshot(pool: Pool, fence: Fence, seq: number, image: Buffer): Promise<void> {
  await inPgTransaction(pool, async (c) => {
    await checkEpoch(c, fence);
    await c.query('INSERT INTO noctua_snapshots (seq, epoch, image) VALUES ($1, $2, $3) ON CONFLICT (seq) DO NOTHING', [seq, fence.epoch, image]);
    const prev = (await c.query<{ seq: string }>('SELECT seq FROM noctua_snapshots WHERE seq < $1 ORDER BY seq DESC LIMIT 1', [seq])).rows[0];
    if (prev) {
      await c.query('DELETE FROM noctua_journal WHERE seq <= $1', [prev.seq]);
      await c.query('DELETE FROM noctua_snapshots WHERE seq < $1', [prev.seq]);
    }
  });
}
