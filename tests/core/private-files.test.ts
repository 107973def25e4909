import { chmodSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, openStateDb } from '../../src/core/database.js';
import { capturedLogger } from '../storage/log-capture.js';
import { DeadLetterFile } from '../../src/storage/influx/dead-letter.js';
import { ensurePrivateDirSync, writePrivateFileSync } from '../../src/core/private-files.js';
import { Spool } from '../../src/storage/influx/spool.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * The state (noctua.db with its outbox of signed acknowledge links, the spool, dead letters) is Noctua's user's
 * alone: directories 0700 and files 0600 with the usual umask 022, and files left 0644 by an older version tightened.
 */

const tmp = tempDir('noctua-private-');
let umaskBefore = 0;
const mode = (p: string) => statSync(p).mode & 0o777;

beforeAll(() => { umaskBefore = process.umask(0o022); });
afterAll(() => { process.umask(umaskBefore); tmp.cleanup(); });

describe('state files are private even with umask 022', () => {
  it('noctua.db and its -wal and -shm are 0600 in a 0700 state directory', () => {
    const stateDir = join(tmp.dir, 'db', 'state');
    const db = openStateDb(stateDir);
    try {
      migrate(db, 'test', ['CREATE TABLE t (x TEXT)']);
      db.prepare('INSERT INTO t VALUES (?)').run('https://noc.example/ack/signed-token');
      expect(mode(stateDir)).toBe(0o700);
      const files = readdirSync(stateDir);
      expect(files).toEqual(expect.arrayContaining(['noctua.db', 'noctua.db-wal', 'noctua.db-shm']));
      for (const f of files) expect([f, mode(join(stateDir, f))]).toEqual([f, 0o600]);
    } finally {
      db.close();
    }
  });

  it('a database and directory left world-readable by an older version are tightened when opened', () => {
    const stateDir = join(tmp.dir, 'old');
    mkdirSync(stateDir, { mode: 0o755 });
    chmodSync(stateDir, 0o755);
    writeFileSync(join(stateDir, 'noctua.db'), '');
    chmodSync(join(stateDir, 'noctua.db'), 0o644);
    openStateDb(stateDir).close();
    expect(mode(stateDir)).toBe(0o700);
    expect(mode(join(stateDir, 'noctua.db'))).toBe(0o600);
  });

  it('spool directory, segments and cursor are 0700/0600, also segments left 0644 before', async () => {
    const dir = join(tmp.dir, 'spool');
    const spool = await Spool.open({ dir, maxBytes: 1 << 20, segmentBytes: 100, log: capturedLogger().log });
    for (let i = 0; i < 5; i++) await spool.append(`m v=${i} ${i}`, 1, 's');
    const rec = await spool.head();
    await spool.ack(rec!);
    await spool.close();
    expect(mode(dir)).toBe(0o700);
    const files = readdirSync(dir);
    expect(files).toContain('cursor');
    expect(files.length).toBeGreaterThan(2);
    for (const f of files) expect([f, mode(join(dir, f))]).toEqual([f, 0o600]);

    const segment = files.find((f) => f !== 'cursor')!;
    chmodSync(join(dir, segment), 0o644);
    chmodSync(dir, 0o755);
    await (await Spool.open({ dir, maxBytes: 1 << 20, segmentBytes: 100, log: capturedLogger().log })).close();
    expect(mode(dir)).toBe(0o700);
    for (const f of readdirSync(dir)) expect([f, mode(join(dir, f))]).toEqual([f, 0o600]);
  });

  it('a file written whole (a stored report) is 0600, also when it replaces a 0644 one', () => {
    const dir = join(tmp.dir, 'reports', 'weekly');
    ensurePrivateDirSync(dir);
    const file = join(dir, '2026-W48.en.html');
    writeFileSync(file, 'old');
    chmodSync(file, 0o644);
    writePrivateFileSync(file, '<html>report</html>');
    expect(mode(file)).toBe(0o600);
    expect(mode(dir)).toBe(0o700);
    expect(readdirSync(dir)).toEqual(['2026-W48.en.html']);
  });

  it('the dead-letter file is 0600 in a 0700 directory', async () => {
    const file = join(tmp.dir, 'dl', 'spool', 'dead-letter.lp');
    await new DeadLetterFile(file).add(['m,device=sw1 v=1 1'], 'field type conflict', new Date());
    expect(mode(file)).toBe(0o600);
    expect(mode(join(tmp.dir, 'dl', 'spool'))).toBe(0o700);
  });
});
