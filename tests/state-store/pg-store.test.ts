import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { whenDurable } from '../../src/core/database.js';
import { createLogger } from '../../src/core/log.js';
import { PgLeaseStore } from '../../src/cluster/pg-lease.js';
import { FencedError, PgStateStore } from '../../src/core/state-store/index.js';
import { PG_SCHEMA_VERSION, migratePg } from '../../src/core/state-store/pg-schema.js';
import { waitFor } from '../../src/lab/ports.js';
import { startPostgres, type PostgresInstance } from '../helpers/postgres.js';
import { tempDir } from '../helpers/tmp.js';

const log = createLogger({ level: 'silent' });
const KEY = 'test:leader';

describe('state store on a real PostgreSQL 15: journal, standby tail, snapshot, fencing', () => {
  const tmp = tempDir('noctua-pgstore-');
  let server: PostgresInstance;
  beforeAll(async () => { server = await startPostgres({ dir: join(tmp.dir, 'pg') }); }, 60_000);
  afterAll(async () => { await server?.stop(); tmp.cleanup(); });

  const open = (url: string, name: string, o: Partial<{ snapshotEvery: number }> = {}) => PgStateStore.open({
    url, stateDir: join(tmp.dir, name), log, snapshotEvery: o.snapshotEvery ?? 1000, snapshotInterval: 3_600_000, tailInterval: 50,
  });

  it('two migrations at once: one applies the schema, the other finds it done', async () => {
    const url = await server.createDatabase('migrate');
    const pools = [new pg.Pool({ connectionString: url }), new pg.Pool({ connectionString: url })];
    const results = await Promise.all(pools.map((p) => migratePg(p)));
    expect(results.map((r) => r.from).sort()).toEqual([0, PG_SCHEMA_VERSION]);
    const c = await pools[0]!.query<{ n: string }>('SELECT COUNT(*) AS n FROM noctua_pg_schema');
    expect(Number(c.rows[0]!.n)).toBe(PG_SCHEMA_VERSION);
    await Promise.all(pools.map((p) => p.end()));
  });

  it('the leader journals each commit in order; the standby tails them; a new core rebuilds from snapshot + tail', async () => {
    const url = await server.createDatabase('tail');
    const a = await open(url, 'a', { snapshotEvery: 20 });
    const b = await open(url, 'b');
    b.startTailing();
    const la = new PgLeaseStore(a.pool);
    expect(await la.acquire(KEY, 'a', 60_000)).toBe(true);
    const db = await a.lead({ key: KEY, epoch: la.epochOf(KEY)! }, () => { throw new Error('not fenced'); });
    db.exec('CREATE TABLE clocks (id TEXT PRIMARY KEY, due INTEGER NOT NULL)');
    const put = db.prepare('INSERT INTO clocks (id, due) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET due = excluded.due');
    const q = new pg.Pool({ connectionString: url });
    q.on('error', () => undefined);
    const snapshots = async () => (await q.query<{ seq: string }>('SELECT seq FROM noctua_snapshots ORDER BY seq')).rows.map((r) => Number(r.seq));
    for (let i = 0; i < 50; i++) {
      db.transaction(() => { put.run(`c${i % 7}`, i); put.run('last', i); })();
      // Two appends: a snapshot after each (every 20 entries), the second pruning what precedes the first.
      if (i === 24 || i === 49) {
        await whenDurable(db);
        const at = i + 2;
        await waitFor(`a snapshot at ${at}`, async () => (await snapshots()).includes(at), 10_000, 50);
      }
    }
    expect(a.position).toBe(51);
    await waitFor('the standby to apply all 51 entries', async () => b.position === 51, 10_000, 50);
    const rows = (x: PgStateStore) => x.workingCopy.prepare('SELECT * FROM clocks ORDER BY id').all();
    expect(rows(b)).toEqual(db.prepare('SELECT * FROM clocks ORDER BY id').all());
    // Entries up to the previous snapshot are pruned; the two newest snapshots stay.
    expect(await snapshots()).toEqual([26, 51]);
    const minSeq = Number((await q.query<{ m: string }>('SELECT MIN(seq) AS m FROM noctua_journal')).rows[0]!.m);
    expect(minSeq).toBe(27);
    const c = await open(url, 'c');
    expect(c.position).toBe(51);
    expect(rows(c)).toEqual(rows(b));
    await q.end();
    await Promise.all([a.end(), b.end(), c.end()]);
  }, 30_000);

  it('fencing: once another core took the lease, the old leader\'s append is refused, it is told, and durable() rejects', async () => {
    const url = await server.createDatabase('fence');
    const a = await open(url, 'fa');
    const b = await open(url, 'fb');
    b.startTailing();
    const [la, lb] = [new PgLeaseStore(a.pool), new PgLeaseStore(b.pool)];
    expect(await la.acquire(KEY, 'a', 300)).toBe(true);
    let fenced: FencedError | undefined;
    const db = await a.lead({ key: KEY, epoch: la.epochOf(KEY)! }, (e) => { fenced = e; });
    db.exec('CREATE TABLE outbox (id TEXT PRIMARY KEY, status TEXT)');
    db.prepare('INSERT INTO outbox VALUES (?, ?)').run('n1', 'pending');
    await whenDurable(db);
    // a stops renewing ("paused"); its lease expires and b takes it: epoch 2.
    await waitFor('b to take the expired lease', () => lb.acquire(KEY, 'b', 60_000), 5000, 50);
    expect(lb.epochOf(KEY)).toBe(2);
    expect(await la.renew(KEY, 'a', 300)).toBe('lost');
    // a "resumes" and writes: committed locally, refused in PostgreSQL.
    db.prepare('UPDATE outbox SET status = ? WHERE id = ?').run('sent', 'n1');
    await expect(whenDurable(db)).rejects.toBeInstanceOf(FencedError);
    expect(fenced?.current).toBe(2);
    const bdb = await b.lead({ key: KEY, epoch: 2 }, () => undefined);
    expect(bdb.prepare('SELECT status FROM outbox WHERE id = ?').get('n1')).toEqual({ status: 'pending' });
    bdb.prepare('UPDATE outbox SET status = ? WHERE id = ?').run('sent', 'n1');
    await whenDurable(bdb);
    const q = new pg.Pool({ connectionString: url });
    q.on('error', () => undefined);
    const epochs = (await q.query<{ seq: string; epoch: string }>('SELECT seq, epoch FROM noctua_journal ORDER BY seq')).rows.map((r) => [Number(r.seq), Number(r.epoch)]);
    expect(epochs).toEqual([[1, 1], [2, 1], [3, 2]]);
    await q.end();
    await Promise.all([a.end(), b.end()]);
  }, 30_000);
});
