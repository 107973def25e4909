import { describe, expect, it } from 'vitest';
import { openStateDb, type Db } from '../../src/core/database.js';
import { captureWrites } from '../../src/core/state-store/capture.js';
import { decodeEntry, encodeEntry, EntryApplier, type JournalOp } from '../../src/core/state-store/entry.js';

/** A journaling connection on an in-memory database, and the entries it produced. */
function setup(): { raw: Db; db: Db; entries: JournalOp[][] } {
  const raw = openStateDb('', ':memory:');
  const entries: JournalOp[][] = [];
  const db = captureWrites(raw, (ops) => entries.push(ops));
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT, b BLOB)');
  entries.length = 0;
  return { raw, db, entries };
}

const rows = (d: Db) => d.prepare('SELECT * FROM t ORDER BY id').all();

describe('journal capture of the SQLite working copy', () => {
  it('an autocommit write is its own entry; reads and DML that changed nothing are not journaled', () => {
    const { db, entries } = setup();
    const ins = db.prepare('INSERT INTO t (v, b) VALUES (?, ?)');
    ins.run('a', Buffer.from([1, 2]));
    ins.run('b', null);
    db.prepare('SELECT * FROM t').all();
    db.prepare('UPDATE t SET v = ? WHERE id = ?').run('x', 99);
    expect(entries).toEqual([[{ sql: 'INSERT INTO t (v, b) VALUES (?, ?)', args: ['a', Buffer.from([1, 2])] }], [{ sql: 'INSERT INTO t (v, b) VALUES (?, ?)', args: ['b', null] }]]);
  });

  it('db.transaction: one entry on the outermost commit, nothing on rollback, a nested rollback drops only its writes', () => {
    const { db, entries } = setup();
    const ins = db.prepare('INSERT INTO t (v) VALUES (?)');
    db.transaction(() => { ins.run('1'); ins.run('2'); })();
    expect(entries).toHaveLength(1);
    expect(entries[0]!.map((o) => o.args)).toEqual([['1'], ['2']]);
    expect(() => db.transaction(() => { ins.run('3'); throw new Error('boom'); })()).toThrow('boom');
    expect(entries).toHaveLength(1);
    db.transaction(() => {
      ins.run('4');
      try { db.transaction(() => { ins.run('5'); throw new Error('inner'); })(); } catch { /* the outer carries on */ }
      db.transaction(() => { ins.run('6'); }).immediate();
    }).immediate();
    expect(entries).toHaveLength(2);
    expect(entries[1]!.map((o) => o.args)).toEqual([['4'], ['6']]);
  });

  it('BEGIN/COMMIT/ROLLBACK run as statements (the alert store\'s units) bound one entry or none', () => {
    const { db, entries } = setup();
    const [begin, commit, rollback] = ['BEGIN', 'COMMIT', 'ROLLBACK'].map((s) => db.prepare(s));
    const ins = db.prepare('INSERT INTO t (v) VALUES (?)');
    begin!.run(); ins.run('a'); ins.run('b'); expect(entries).toHaveLength(0); commit!.run();
    begin!.run(); ins.run('c'); rollback!.run();
    db.exec('INSERT INTO t (v) VALUES (\'d\')');
    expect(entries.map((e) => e.map((o) => o.args?.[0] ?? o.sql))).toEqual([['a', 'b'], ["INSERT INTO t (v) VALUES ('d')"]]);
  });

  it('replaying the entries on another copy yields the same rows, blobs included', () => {
    const { db, raw, entries } = setup();
    const ins = db.prepare('INSERT INTO t (v, b) VALUES (@v, @b)');
    db.transaction(() => { for (let i = 0; i < 5; i++) ins.run({ v: `r${i}`, b: Buffer.from([i]) }); })();
    db.prepare('DELETE FROM t WHERE id = ?').run(2);
    db.prepare('UPDATE t SET v = v || ? WHERE id > ?').run('!', 3);
    const replica = openStateDb('', ':memory:');
    replica.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT, b BLOB)');
    new EntryApplier(replica).apply(entries.map((e) => encodeEntry(e)));
    expect(rows(replica)).toEqual(rows(raw));
    expect(decodeEntry(encodeEntry(entries[0]!))[0]!.args).toEqual([{ v: 'r0', b: Buffer.from([0]) }]);
  });
});
