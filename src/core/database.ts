import Database from 'better-sqlite3';
import { dirname, join } from 'node:path';
import { createPrivateFileSync, ensurePrivateDirSync, tightenExistingSync } from './private-files.js';

export type Db = Database.Database;

const preparedByDb = new WeakMap<Db, Map<string, Database.Statement>>();

/**
 * The statement for `sql`, prepared once per database and kept: preparing costs tens of microseconds, and a store
 * that prepared its statements on every call spent more on that than on running them (the topology and layer-2
 * stores at every inventory cycle: 2.4 % of the process at 5,000 devices). For statements with fixed text only.
 */
export function prepared(db: Db, sql: string): Database.Statement {
  let byText = preparedByDb.get(db);
  if (!byText) preparedByDb.set(db, (byText = new Map()));
  let st = byText.get(sql);
  if (!st) byText.set(sql, (st = db.prepare(sql)));
  return st;
}

/**
 * Opens the state database (`<stateDir>/noctua.db`) shared by the alert engine, escalation and outbox,
 * in a 0700 directory as a 0600 file (src/core/private-files.ts).
 * WAL mode and synchronous=NORMAL: a committed write survives a crash or kill of Noctua (the WAL is in the
 * operating system's hands at commit), which is what keeping incidents, clocks and notices here is for; a
 * power loss may lose the last moments' commits but never corrupts the file. FULL made every commit wait for
 * an fsync on the event loop: at 5,000 devices that wait was three quarters of the alert engine's share of
 * the process (bench/engine-share.ts).
 */
export function openStateDb(stateDir: string, file = 'noctua.db'): Db {
  const path = file === ':memory:' ? file : join(stateDir, file);
  if (path !== ':memory:') {
    // The outbox holds signed acknowledge links and the incidents say what is broken: owner only (0700/0600).
    ensurePrivateDirSync(dirname(path));
    createPrivateFileSync(path);
  }
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // Files left by an older version that ran without these modes.
  if (path !== ':memory:') tightenExistingSync([`${path}-wal`, `${path}-shm`, `${path}-journal`]);
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  return db;
}

/**
 * Applies each module's migrations once, tracked per module in `schema_migrations`,
 * so the alert store and the outbox can evolve their own tables independently.
 */
export function migrate(db: Db, module: string, steps: readonly string[]): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (module TEXT NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (module, version))');
  const done = new Set((db.prepare('SELECT version FROM schema_migrations WHERE module = ?').all(module) as { version: number }[]).map((r) => r.version));
  const apply = db.transaction(() => {
    steps.forEach((sql, i) => {
      if (done.has(i + 1)) return;
      db.exec(sql);
      db.prepare('INSERT INTO schema_migrations (module, version) VALUES (?, ?)').run(module, i + 1);
    });
  });
  apply();
}

const gates = new WeakMap<Db, () => Promise<void>>();

/** Makes {@link whenDurable} on `db` wait for `gate` (the PostgreSQL state store's journal). */
export function setDurableGate(db: Db, gate: () => Promise<void>): void {
  gates.set(db, gate);
}

/**
 * Resolves once every write committed on `db` so far is durable where the state lives, and this core may still act
 * on it: at once for a plain SQLite file; with the PostgreSQL state store, when the journal holds them and the lease
 * epoch was confirmed (rejects when another core holds the lease). Anything with an outside effect waits for it.
 */
export function whenDurable(db: Db): Promise<void> {
  const gate = gates.get(db);
  return gate ? gate() : Promise.resolve();
}
