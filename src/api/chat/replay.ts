import { migrate, type Db } from '../../core/database.js';

/** Tables of the chat callback replay ledger (migrate module "chat-callbacks"); append, never edit, once released. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE chat_callbacks_seen (
    platform TEXT NOT NULL, callback_id TEXT NOT NULL, seen_at INTEGER NOT NULL, PRIMARY KEY (platform, callback_id)
  )`,
  'CREATE INDEX chat_callbacks_seen_at ON chat_callbacks_seen (seen_at)',
];

/**
 * Chat callbacks already taken (by the platform's event id, or the signature that is unique to one request),
 * in the state database, so a captured callback sent again within its freshness window is refused, also
 * after a restart. Rows older than twice the window go: by then the timestamp check refuses the callback.
 */
export class CallbackReplayLedger {
  private readonly q;

  constructor(db: Db) {
    migrate(db, 'chat-callbacks', MIGRATIONS);
    this.q = {
      add: db.prepare('INSERT OR IGNORE INTO chat_callbacks_seen (platform, callback_id, seen_at) VALUES (?, ?, ?)'),
      purge: db.prepare('DELETE FROM chat_callbacks_seen WHERE seen_at < ?'),
    };
  }

  /** Records a callback; false when it was seen before (a replay). */
  first(platform: string, callbackId: string, nowMs: number, windowMs: number): boolean {
    this.q.purge.run(nowMs - 2 * windowMs);
    return this.q.add.run(platform, callbackId.slice(0, 256), nowMs).changes === 1;
  }
}
