import Database from 'better-sqlite3';
import pg from 'pg';
import { inPgTransaction, migratePg } from './pg-schema.js';

/** What {@link copySqliteToPg} stored. */
export interface CopyResult { bytes: number; tables: number }

/** Refused because the PostgreSQL database already holds Noctua state. */
export class TargetNotEmptyError extends Error {}

/**
 * Uploads an image of an existing SQLite state file (`db.serialize()`, WAL content included) as the first snapshot
 * (sequence 0) of an empty PostgreSQL state store; the first core to start continues from it.
 */
export async function copySqliteToPg(path: string, url: string): Promise<CopyResult> {
  const src = new Database(path, { readonly: true, fileMustExist: true });
  let image: Buffer;
  let tables: number;
  try {
    tables = (src.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number }).n;
    image = src.serialize();
  } finally {
    src.close();
  }
  const pool = new pg.Pool({ connectionString: url, max: 1, connectionTimeoutMillis: 5000 });
  pool.on('error', () => undefined);
  try {
    await migratePg(pool);
    await inPgTransaction(pool, async (c) => {
      // Holds off a core starting meanwhile from appending before the snapshot is in.
      await c.query('LOCK TABLE noctua_journal, noctua_snapshots IN EXCLUSIVE MODE');
      const n = (await c.query<{ j: string; s: string }>('SELECT (SELECT COUNT(*) FROM noctua_journal) AS j, (SELECT COUNT(*) FROM noctua_snapshots) AS s')).rows[0]!;
      if (Number(n.j) > 0 || Number(n.s) > 0) throw new TargetNotEmptyError(`the target already holds Noctua state (${n.s} snapshots, ${n.j} journal entries): refusing to overwrite it`);
      await c.query('INSERT INTO noctua_snapshots (seq, epoch, image) VALUES (0, 0, $1)', [image]);
    });
    return { bytes: image.length, tables };
  } finally {
    await pool.end().catch(() => undefined);
  }
}
