import { deserialize, serialize } from 'node:v8';
import type { Db } from '../database.js';

/** One captured write: a statement's SQL and its bound arguments, or a script run by `exec` (no arguments). */
export interface JournalOp { sql: string; args?: unknown[] }

/** Encodes one committed transaction's writes for the journal (v8 keeps Buffers, bigints and named-parameter objects). */
export function encodeEntry(ops: readonly JournalOp[]): Buffer {
  return serialize(ops);
}

/** Decodes what {@link encodeEntry} wrote. */
export function decodeEntry(buf: Buffer): JournalOp[] {
  return deserialize(buf) as JournalOp[];
}

/**
 * Replays journal entries on a raw (not journaling) SQLite connection, each entry as one transaction, so the
 * working copy passes through the same committed states as the leader's. Statements are prepared once per SQL text.
 */
export class EntryApplier {
  private readonly cache = new Map<string, ReturnType<Db['prepare']>>();

  constructor(private readonly db: Db) {}

  /** Applies the entries in order, all in one SQLite transaction. */
  apply(entries: readonly Buffer[]): void {
    this.db.transaction(() => {
      for (const e of entries) for (const op of decodeEntry(e)) this.run(op);
    })();
  }

  private run(op: JournalOp): void {
    if (op.args === undefined) { this.db.exec(op.sql); return; }
    let st = this.cache.get(op.sql);
    if (!st) {
      st = this.db.prepare(op.sql);
      this.cache.set(op.sql, st);
    }
    (st.run as (...a: unknown[]) => unknown)(...op.args);
  }
}
