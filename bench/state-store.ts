/**
 * `node --import tsx bench/state-store.ts [--seconds N] [--rows K] [--rate R]`: the state store's write path on
 * SQLite alone vs SQLite + the PostgreSQL journal (a real PostgreSQL 15 started here, on loopback, fsync on).
 * 1. Saturation: transactions of K upserts (an engine pass saving its trackers and an incident, ~300-byte JSON
 *    rows) as fast as the event loop allows, for N seconds: commits/s, and for PG the journal appends/s, entries per
 *    append and how far the journal trailed at the end.
 * 2. At R transactions/s (the alert load): `whenDurable()` latency after each commit, the outbox's gate before a send.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openStateDb, whenDurable, type Db } from '../src/core/database.js';
import { createLogger } from '../src/core/log.js';
import { PgLeaseStore } from '../src/cluster/pg-lease.js';
import { PgStateStore } from '../src/core/state-store/index.js';
import { startPostgres } from '../tests/helpers/postgres.js';
import { tempDir } from '../tests/helpers/tmp.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '10' }, rows: { type: 'string', default: '20' }, rate: { type: 'string', default: '50' } } });
const seconds = Number(values.seconds);
const rows = Number(values.rows);
const rate = Number(values.rate);
const payload = JSON.stringify({ state: 'firing', value: 0, labels: { device: 'sw-000', site: 'campus', ifName: 'GigabitEthernet1/0/1' }, note: 'x'.repeat(150) });

function prepare(db: Db) {
  db.exec('CREATE TABLE IF NOT EXISTS trackers (fingerprint TEXT PRIMARY KEY, data TEXT NOT NULL, updated_at INTEGER NOT NULL)');
  const put = db.prepare('INSERT INTO trackers (fingerprint, data, updated_at) VALUES (?, ?, ?) ON CONFLICT(fingerprint) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at');
  let n = 0;
  return db.transaction(() => { for (let i = 0; i < rows; i++) put.run(`fp-${(n++) % 5000}`, payload, Date.now()); });
}

/** Commits as fast as possible, yielding to the event loop every 10 commits so the journal can append. */
async function saturate(db: Db): Promise<number> {
  const tx = prepare(db);
  const end = Date.now() + seconds * 1000;
  let commits = 0;
  while (Date.now() < end) {
    for (let i = 0; i < 10; i++) { tx(); commits++; }
    await new Promise((r) => setImmediate(r));
  }
  return commits / seconds;
}

/** R commits/s, each followed by whenDurable(); latencies in ms. */
async function paced(db: Db): Promise<number[]> {
  const tx = prepare(db);
  const lat: number[] = [];
  const end = Date.now() + seconds * 1000;
  const pending: Promise<void>[] = [];
  while (Date.now() < end) {
    tx();
    const t0 = performance.now();
    pending.push(whenDurable(db).then(() => { lat.push(performance.now() - t0); }));
    await new Promise((r) => setTimeout(r, 1000 / rate));
  }
  await Promise.all(pending);
  return lat.sort((a, b) => a - b);
}

const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!.toFixed(2);

const tmp = tempDir('noctua-bench-state-');
const server = await startPostgres({ dir: join(tmp.dir, 'pg'), fsync: true });
try {
  const sqlite = openStateDb(join(tmp.dir, 'sqlite'));
  const sqliteRate = await saturate(sqlite);
  const sqliteLat = await paced(sqlite);
  sqlite.close();

  const url = await server.createDatabase('bench');
  const store = await PgStateStore.open({ url, stateDir: join(tmp.dir, 'pg-copy'), log: createLogger({ level: 'silent' }), snapshotEvery: 1_000_000, snapshotInterval: 3_600_000, tailInterval: 500 });
  const leases = new PgLeaseStore(store.pool);
  if (!(await leases.acquire('bench:leader', 'bench', 600_000))) throw new Error('lease not taken');
  const db = await store.lead({ key: 'bench:leader', epoch: leases.epochOf('bench:leader')! }, () => { throw new Error('fenced'); });
  const pgRate = await saturate(db);
  const trailing = store.position - (await store.pushedPosition());
  await store.durable();
  const s1 = { ...store.stats! };
  const pgLat = await paced(db);
  const s2 = store.stats!;
  await store.end();
  db.close();

  console.log(`| store | commits/s (saturated, ${rows} upserts each) | journal appends/s | entries per append | whenDurable() at ${rate}/s p50 / p99 ms |`);
  console.log('|---|---|---|---|---|');
  console.log(`| SQLite (WAL, synchronous=NORMAL) | ${Math.round(sqliteRate)} | — | — | ${pct(sqliteLat, 50)} / ${pct(sqliteLat, 99)} |`);
  console.log(`| SQLite + PostgreSQL journal | ${Math.round(pgRate)} | ${Math.round(s1.appends / seconds)} | ${(s1.entries / Math.max(1, s1.appends)).toFixed(1)} (trailing ${trailing} at the end) | ${pct(pgLat, 50)} / ${pct(pgLat, 99)} (${s2.appends - s1.appends} appends) |`);
} finally {
  await server.stop();
  tmp.cleanup();
}
