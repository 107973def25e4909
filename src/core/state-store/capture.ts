import type { Db } from '../database.js';
import type Database from 'better-sqlite3';
import type { JournalOp } from './entry.js';

/** Transaction control run as a prepared statement (the alert store opens its units with `BEGIN`). */
const CONTROL = /^\s*(BEGIN|COMMIT|END|ROLLBACK|SAVEPOINT|RELEASE)\b/i;

type Stmt = ReturnType<Db['prepare']>;

/**
 * Wraps a better-sqlite3 connection so that every committed write transaction reaches `commit` as one entry, in
 * commit order: `run`/`get`/`all` of statements that are not read-only, `exec` scripts, `db.transaction(...)`
 * (captured when the outermost one commits, discarded when it or a nested one throws) and `BEGIN`/`COMMIT`/
 * `ROLLBACK` run as statements. A write outside any transaction is its own entry. A DML statement that changed no
 * row is left out (it changed nothing). Reads pass straight through. The standalone SQLite store never wraps.
 */
export function captureWrites(raw: Db, commit: (ops: JournalOp[]) => void): Db {
  let pending: JournalOp[] = [];
  const settle = () => {
    if (raw.inTransaction || pending.length === 0) return;
    const ops = pending;
    pending = [];
    commit(ops);
  };
  const record = (sql: string, args: unknown[] | undefined) => {
    pending.push(args === undefined ? { sql } : { sql, args });
    settle();
  };
  const wrapStatement = (st: Stmt, sql: string): Stmt => {
    const control = CONTROL.exec(sql)?.[1]?.toUpperCase();
    if (control) {
      return new Proxy(st, {
        get(t, p) {
          if (p !== 'run') return bind(t, p);
          return (...args: unknown[]) => {
            const r = (t.run as (...a: unknown[]) => Database.RunResult)(...args);
            // ROLLBACK (not ROLLBACK TO a savepoint) ends the transaction: its writes never happened.
            if (control === 'ROLLBACK' && !raw.inTransaction) pending = [];
            settle();
            return r;
          };
        },
      });
    }
    if (st.readonly) return st;
    const dml = /^\s*(INSERT|UPDATE|DELETE|REPLACE)\b/i.test(sql);
    return new Proxy(st, {
      get(t, p) {
        if (p === 'run') {
          return (...args: unknown[]) => {
            const r = (t.run as (...a: unknown[]) => Database.RunResult)(...args);
            if (!dml || r.changes > 0) record(sql, args);
            return r;
          };
        }
        if (p === 'get' || p === 'all') {
          return (...args: unknown[]) => {
            const r = (t[p] as (...a: unknown[]) => unknown)(...args);
            record(sql, args);
            return r;
          };
        }
        return bind(t, p);
      },
    });
  };
  const wrapTransaction = (fn: (...a: unknown[]) => unknown) => {
    const tx = raw.transaction(fn);
    const guard = (variant: (...a: unknown[]) => unknown) => (...args: unknown[]) => {
      const mark = pending.length;
      try {
        const out = variant(...args);
        settle();
        return out;
      } catch (err) {
        // The transaction (or this nested savepoint) rolled back: its writes are not journaled.
        pending.length = raw.inTransaction ? mark : 0;
        throw err;
      }
    };
    return Object.assign(guard(tx), {
      deferred: guard(tx.deferred), immediate: guard(tx.immediate), exclusive: guard(tx.exclusive), default: guard(tx.default),
    });
  };
  const db: Db = new Proxy(raw, {
    get(t, p) {
      if (p === 'prepare') return (sql: string) => wrapStatement(t.prepare(sql), sql);
      if (p === 'exec') {
        return (sql: string) => {
          t.exec(sql);
          record(sql, undefined);
          return db;
        };
      }
      if (p === 'transaction') return wrapTransaction;
      return bind(t, p);
    },
  });
  return db;
}

/** A property of the wrapped object; methods stay bound to it (native better-sqlite3 methods check `this`). */
function bind<T extends object>(t: T, p: string | symbol): unknown {
  const v = Reflect.get(t, p, t) as unknown;
  return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
}
