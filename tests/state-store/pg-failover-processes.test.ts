import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { influxQuery, startInfluxd, type InfluxdInstance } from '../../src/lab/influxd.js';
import { labAddress, labInventoryYaml, readFixtures } from '../../src/lab/inventory.js';
import { fixturesDir, repoRoot } from '../../src/lab/paths.js';
import { freeUdpPort, waitFor } from '../../src/lab/ports.js';
import { startAll } from '../../src/lab/parts.js';
import { startRedis, type RedisInstance } from '../../src/lab/redis.js';
import { startSnmpsim, type SnmpsimInstance } from '../../src/lab/snmpsim.js';
import { startPostgres, type PostgresInstance } from '../helpers/postgres.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';
import { tempDir } from '../helpers/tmp.js';

const INTERVAL_MS = 3000;
const LEADER_LEASE_MS = 3000;
const POLLERS = ['poller-1', 'poller-2'];
const DB = 'noctua_pgfail';
/** Escalation of the incident: tier t1 at once, t2 and t3 later, each on its own receiver path. */
const T2_MS = 25_000;
const T3_MS = 55_000;

interface Member { name: string; configDir: string; logFile: string; child?: ChildProcess; exited?: Promise<void> }
interface Page { path: string; at: number; kind?: string; incident?: { id: string; device?: string } }

describe('two cores with separate state directories failing over through one PostgreSQL (+ Redis, pollers)', () => {
  const tmp = tempDir('noctua-pgfail-');
  let redis: RedisInstance;
  let influx: InfluxdInstance;
  let sim: SnmpsimInstance;
  let receiver: WebhookReceiver;
  let postgres: PostgresInstance;
  let pgUrl = '';
  let client: Redis;
  const members = new Map<string, Member>();

  const start = (m: Member) => {
    const fd = openSync(m.logFile, 'a');
    m.child = spawn(process.execPath, [join(repoRoot, 'bin', 'noctua.js'), 'start', '--config', m.configDir], { stdio: ['ignore', fd, fd], detached: true });
    closeSync(fd);
    m.exited = new Promise((r) => m.child!.once('exit', () => r()));
  };
  const alive = (m: Member) => m.child !== undefined && m.child.exitCode === null && m.child.signalCode === null;
  const tails = () => [...members.values()].map((m) => `--- ${m.name}\n${readFileSync(m.logFile, 'utf8').trimEnd().split('\n').slice(-6).join('\n')}`).join('\n');
  const logOf = (name: string, since = 0) => readFileSync(members.get(name)!.logFile, 'utf8').split('\n')
    .flatMap((l) => { try { return [JSON.parse(l) as { msg: string; time: number; [k: string]: unknown }]; } catch { return []; } })
    .filter((l) => l.time >= since);
  /** Pages of the dead device's incident, by receiver path (= tier). */
  const pages = (): Page[] => receiver.requests.map((r) => ({ path: r.path, at: r.at, ...(r.json as Omit<Page, 'path' | 'at'>) }))
    .filter((p) => p.incident?.device === 'dead-snmp-01');
  const ofTier = (t: string) => pages().filter((p) => p.path === `/${t}` && p.kind !== 'resolved');
  const leaseHolder = async () => {
    const c = new pg.Client({ connectionString: pgUrl });
    await c.connect();
    try { return (await c.query<{ owner: string; epoch: string }>('SELECT owner, epoch FROM noctua_leases WHERE expires_at >= now()')).rows[0]; } finally { await c.end(); }
  };

  /** Journal entries in PostgreSQL that mark a notice delivered (the statement's text is in the entry as bytes). */
  const delivered = async () => {
    const c = new pg.Client({ connectionString: pgUrl });
    await c.connect();
    try {
      return Number((await c.query<{ n: string }>(`SELECT COUNT(*) AS n FROM noctua_journal WHERE position(convert_to('SET status = ''sent''', 'UTF8') in entry) > 0`)).rows[0]!.n);
    } finally { await c.end(); }
  };

  beforeAll(async () => {
    const fixtures = fixturesDir();
    const facts = readFixtures(fixtures).slice(0, 4);
    ({ redis, influx, sim, receiver, postgres } = await startAll({
      redis: startRedis({ dir: join(tmp.dir, 'redis') }),
      influx: startInfluxd({ dir: join(tmp.dir, 'influx') }),
      sim: startSnmpsim({ dataDir: join(fixtures, 'snmprec'), workDir: tmp.dir, probeCommunity: facts[0]!.community, addresses: facts.map((_, i) => labAddress(i)) }),
      receiver: startWebhookReceiver(),
      postgres: startPostgres({ dir: join(tmp.dir, 'pg') }),
    }));
    pgUrl = await postgres.createDatabase('noctua');
    client = new Redis(redis.url, { maxRetriesPerRequest: 1, retryStrategy: () => 200 });
    client.on('error', () => {});
    const deadPort = await freeUdpPort('127.0.3.7');
    const every = `${INTERVAL_MS}ms`;
    const inv = parse(labInventoryYaml(facts, sim.port, { icmp: every, snmp: every })) as { defaults: { snmp: Record<string, unknown> }; devices: Record<string, unknown>[] };
    inv.defaults.snmp.timeoutMs = 800;
    inv.defaults.snmp.retries = 0;
    // Answers ping, never SNMP: one snmp-unreachable incident whose escalation spans both failovers.
    inv.devices.push({ name: 'dead-snmp-01', address: '127.0.3.7', class: 'switch', site: 'campus', snmp: { community: 'public', port: deadPort } });
    const alerts = {
      evaluationInterval: '1s',
      rules: [{
        name: 'snmp-unreachable', severity: 'P3', select: { measurement: 'snmp_poll', match: { kind: 'snmp' } },
        condition: { threshold: { field: 'ok', op: '==', value: false } }, consecutive: 2, summary: { en: '{{device}} answers ping but not SNMP', 'zh-CN': '{{device}} SNMP 无响应' },
      }],
    };
    const tiers = ['t1', 't2', 't3'];
    const steps = `[{ after: 0s, tier: t1 }, { after: ${T2_MS / 1000}s, tier: t2 }, { after: ${T3_MS / 1000}s, tier: t3 }]`;
    const notify = `channels:\n${tiers.map((t) => `  ${t}: { type: webhook, url: "${receiver.url}/${t}" }`).join('\n')}\n` +
      `people:\n${tiers.map((t) => `  p${t}: { displayName: ${t}, channels: [${t}] }`).join('\n')}\n` +
      `tiers:\n${tiers.map((t) => `  ${t}: { notify: [{ person: p${t} }] }`).join('\n')}\n` +
      `policies:\n${['P1', 'P2', 'P3', 'P4'].map((p) => `  ${p}: { respond: 1h, resolve: 4h, remindBefore: 0s, steps: ${steps} }`).join('\n')}\n` +
      `outbox: { giveUpAfter: 10m, initialBackoff: 1s, maxBackoff: 2s }\n`;
    const cluster = { redis: { url: redis.url }, heartbeat: '1000ms', leaderLease: `${LEADER_LEASE_MS}ms` };
    const make = (name: string, role: 'poller' | 'core') => {
      const configDir = join(tmp.dir, name);
      mkdirSync(configDir);
      writeFileSync(join(configDir, 'devices.yaml'), stringify(inv));
      writeFileSync(join(configDir, 'noctua.yaml'), stringify({
        // Each member its own state directory: the cores share nothing but PostgreSQL and Redis.
        stateDir: join(tmp.dir, `${name}-state`), logLevel: 'info', influx: { url: influx.url, database: DB, precision: 'ms', flushInterval: '200ms' },
        api: { enabled: false }, scheduler: { instance: name, selfInterval: '2s', drainTimeout: '1s' }, cluster: { ...cluster, role, id: name },
        ...(role === 'core' ? { state: { store: '${NOCTUA_TEST_PG_URL}', tailInterval: '200ms', snapshotEvery: 200 } } : {}),
      }));
      if (role === 'core') {
        writeFileSync(join(configDir, 'alerts.yaml'), stringify(alerts));
        writeFileSync(join(configDir, 'notify.yaml'), notify);
      }
      const m: Member = { name, configDir, logFile: join(tmp.dir, `${name}.log`) };
      members.set(name, m);
      return m;
    };
    process.env.NOCTUA_TEST_PG_URL = pgUrl;
    for (const p of POLLERS) start(make(p, 'poller'));
    start(make('core-1', 'core'));
    try {
      await waitFor('core-1 to hold the lease in PostgreSQL', async () => (await leaseHolder().catch(() => undefined))?.owner === 'core-1', 60_000, 200);
      start(make('core-2', 'core'));
      await waitFor('core-2 to tail as standby', async () => logOf('core-2').some((l) => l.msg === 'state working copy rebuilt from PostgreSQL'), 60_000, 200);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${tails()}`);
    }
  }, 150_000);

  afterAll(async () => {
    for (const m of members.values()) {
      if (m.child && alive(m)) { try { process.kill(-m.child.pid!, 'SIGCONT'); process.kill(-m.child.pid!, 'SIGKILL'); } catch { /* gone */ } await m.exited; }
    }
    client?.disconnect();
    await Promise.all([redis?.stop(), influx?.stop(), sim?.stop(), receiver?.close(), postgres?.stop()]);
    tmp.cleanup();
  });

  it('kill -9 of the leader while the incident escalates: the standby continues the clock, t2 is paged once at its time, t1 not again', async () => {
    await receiver.waitFor(() => ofTier('t1').length > 0, 60_000).catch((err: Error) => { throw new Error(`${err.message}\n${tails()}`); });
    const openedAt = ofTier('t1')[0]!.at;
    // Killed while the incident escalates, once t1's delivery is in PostgreSQL. (Between a receiver's answer and
    // that append a crash re-sends with the same Idempotency-Key: at-least-once, docs/SCALE.md.)
    await waitFor('t1\'s delivery in the journal', async () => (await delivered()) >= 1, 10_000, 20);
    expect((await leaseHolder())?.owner).toBe('core-1');
    const killedAt = Date.now();
    process.kill(-members.get('core-1')!.child!.pid!, 'SIGKILL');
    await members.get('core-1')!.exited;
    await waitFor('core-2 to take the lease', async () => (await leaseHolder())?.owner === 'core-2', 3 * LEADER_LEASE_MS + 10_000, 100);
    await waitFor('core-2 to lead on its caught-up working copy', async () => logOf('core-2', killedAt).some((l) => l.msg === 'state store leading: local writes are journaled to PostgreSQL'), 20_000, 100);
    await receiver.waitFor(() => ofTier('t2').length > 0, T2_MS + 30_000).catch((err: Error) => { throw new Error(`${err.message}\n${tails()}`); });
    // The clock continued from the incident's opening, not from the takeover.
    const t2 = ofTier('t2');
    expect(t2[0]!.at - openedAt).toBeGreaterThanOrEqual(T2_MS - 2000);
    expect(t2[0]!.at - openedAt).toBeLessThan(T2_MS + 10_000);
    await new Promise((r) => setTimeout(r, 3000));
    expect(ofTier('t1')).toHaveLength(1);
    expect(ofTier('t2')).toHaveLength(1);
    expect(ofTier('t1')[0]!.incident!.id).toBe(t2[0]!.incident!.id);
  }, 90_000);

  it('SIGSTOP of the leader past its lease, then SIGCONT: the other core pages t3 once, the resumed one sends nothing and steps down', async () => {
    const openedAt = ofTier('t1')[0]!.at;
    // core-1 comes back as the standby, its working copy rebuilt from PostgreSQL.
    const restartedAt = Date.now();
    start(members.get('core-1')!);
    await waitFor('core-1 to tail as standby', async () => logOf('core-1', restartedAt).some((l) => l.msg === 'state working copy rebuilt from PostgreSQL'), 60_000, 200);
    // Pause the leader a few seconds before t3 is due, so the page falls due while it is stopped.
    const pauseAt = openedAt + T3_MS - 6000;
    expect(Date.now()).toBeLessThan(pauseAt);
    await new Promise((r) => setTimeout(r, pauseAt - Date.now()));
    const core2 = members.get('core-2')!;
    const before = pages().length;
    process.kill(-core2.child!.pid!, 'SIGSTOP');
    const stoppedAt = Date.now();
    try {
      await waitFor('core-1 to take the lease from the stopped core-2', async () => (await leaseHolder())?.owner === 'core-1', 3 * LEADER_LEASE_MS + 15_000, 100);
      await receiver.waitFor(() => ofTier('t3').length > 0, 30_000);
      // Resumed well past its lease, with t3 overdue in its own working copy.
      await new Promise((r) => setTimeout(r, Math.max(0, stoppedAt + 4 * LEADER_LEASE_MS - Date.now())));
    } finally {
      process.kill(-core2.child!.pid!, 'SIGCONT');
    }
    const resumedAt = Date.now();
    await waitFor('the resumed core-2 to step down', async () => !alive(core2), 30_000, 200).catch((err: Error) => { throw new Error(`${err.message}\n${tails()}`); });
    await new Promise((r) => setTimeout(r, 3000));
    expect(ofTier('t3')).toHaveLength(1);
    const perKey = new Map<string, number>();
    for (const p of pages()) perKey.set(`${p.path}/${p.kind}`, (perKey.get(`${p.path}/${p.kind}`) ?? 0) + 1);
    for (const [k, n] of perKey) expect(n, `${k} paged ${n} times`).toBe(1);
    // Nothing reached a receiver from core-2 after it resumed: every page since came from core-1 (one t3).
    expect(pages().length).toBe(before + 1);
    const said = logOf('core-2', resumedAt).map((l) => l.msg);
    expect(said.some((m) => /another core holds the leader lease|state journal append refused/.test(m)), said.join(' | ')).toBe(true);
    // Its overdue step usually fires on resume and queues the page; whichever stops it first (the journal refusing the
    // append the outbox gate waits for, or the lease renewal answering "lost"), no page leaves it (checked above).
    expect(logOf('core-2', resumedAt).some((l) => l.msg === 'notice delivered')).toBe(false);
    // Polls still reach InfluxDB through the new leader.
    const q = await influxQuery(influx.url, `SELECT count("ok") FROM "snmp_poll" WHERE time > ${resumedAt}ms`, DB);
    expect(q[0]?.series?.length ?? 0).toBeGreaterThanOrEqual(0);
  }, 120_000);
});
