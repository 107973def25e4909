import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInfluxd, type InfluxdInstance } from '../../src/lab/influxd.js';
import { labInventoryYaml } from '../../src/lab/inventory.js';
import { repoRoot } from '../../src/lab/paths.js';
import { freeUdpPort } from '../../src/lab/ports.js';
import { startAll } from '../../src/lab/parts.js';
import { startPostgres, type PostgresInstance } from '../helpers/postgres.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';
import { tempDir } from '../helpers/tmp.js';

const T2_MS = 30_000;
const cli = (...args: string[]) => spawnSync(process.execPath, [join(repoRoot, 'bin', 'noctua.js'), ...args], { encoding: 'utf8', timeout: 60_000 });

describe('noctua db copy of a SQLite state with an open incident, then start on PostgreSQL', () => {
  const tmp = tempDir('noctua-dbcopy-');
  let influx: InfluxdInstance;
  let postgres: PostgresInstance;
  let receiver: WebhookReceiver;
  let pgUrl = '';
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const configDir = join(tmp.dir, 'config');
  const logFile = join(tmp.dir, 'noctua.log');
  const settings = (extra: Record<string, unknown>) => ({
    logLevel: 'info', api: { enabled: false }, scheduler: { instance: 'solo', selfInterval: '5s', drainTimeout: '1s' },
    influx: { url: influx.url, database: 'noctua_dbcopy', precision: 'ms', flushInterval: '500ms' }, ...extra,
  });
  const start = () => {
    const fd = openSync(logFile, 'a');
    child = spawn(process.execPath, [join(repoRoot, 'bin', 'noctua.js'), 'start', '--config', configDir], { stdio: ['ignore', fd, fd], detached: true });
    closeSync(fd);
    const c = child;
    exited = new Promise((r) => c.once('exit', () => r()));
  };
  const tail = () => readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-8).join('\n');
  const delivered = (t: string) => receiver.requests.filter((r) => r.path === `/${t}` && r.status === 200 && (r.json as { kind?: string }).kind !== 'resolved');

  beforeAll(async () => {
    ({ influx, postgres, receiver } = await startAll({ influx: startInfluxd({ dir: join(tmp.dir, 'influx') }), postgres: startPostgres({ dir: join(tmp.dir, 'pg') }), receiver: startWebhookReceiver() }));
    pgUrl = await postgres.createDatabase('noctua');
    mkdirSync(configDir);
    const inv = parse(labInventoryYaml([], 161, { icmp: '2s', snmp: '2s' })) as { defaults: { snmp: Record<string, unknown> }; devices: Record<string, unknown>[] };
    inv.defaults.snmp.timeoutMs = 500;
    inv.defaults.snmp.retries = 0;
    inv.devices.push({ name: 'dead-snmp-01', address: '127.0.3.8', class: 'switch', site: 'campus', snmp: { community: 'public', port: await freeUdpPort('127.0.3.8') } });
    writeFileSync(join(configDir, 'devices.yaml'), stringify(inv));
    writeFileSync(join(configDir, 'alerts.yaml'), stringify({
      evaluationInterval: '1s',
      rules: [{ name: 'snmp-unreachable', severity: 'P3', select: { measurement: 'snmp_poll', match: { kind: 'snmp' } }, condition: { threshold: { field: 'ok', op: '==', value: false } }, consecutive: 2, summary: { en: '{{device}} SNMP down', 'zh-CN': '{{device}} SNMP 无响应' } }],
    }));
    writeFileSync(join(configDir, 'notify.yaml'), `channels:\n  t1: { type: webhook, url: "${receiver.url}/t1" }\n  t2: { type: webhook, url: "${receiver.url}/t2" }\n` +
      'people:\n  p1: { displayName: p1, channels: [t1] }\n  p2: { displayName: p2, channels: [t2] }\ntiers:\n  t1: { notify: [{ person: p1 }] }\n  t2: { notify: [{ person: p2 }] }\n' +
      `policies:\n${['P1', 'P2', 'P3', 'P4'].map((p) => `  ${p}: { respond: 1h, resolve: 4h, remindBefore: 0s, steps: [{ after: 0s, tier: t1 }, { after: ${T2_MS / 1000}s, tier: t2 }] }`).join('\n')}\n` +
      'outbox: { giveUpAfter: 10m, initialBackoff: 1s, maxBackoff: 2s }\n');
  }, 90_000);

  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } await exited; }
    await Promise.all([influx?.stop(), postgres?.stop(), receiver?.close()]);
    tmp.cleanup();
  });

  it('the copied incident continues: its pending t1 notice is delivered once, t2 is paged once at its time from the opening', async () => {
    // Phase 1: SQLite. The t1 receiver is down, so the notice stays pending in the outbox.
    receiver.respond((req) => (req.path === '/t1' ? { status: 503, body: 'down' } : { status: 200, body: { ok: true } }));
    writeFileSync(join(configDir, 'noctua.yaml'), stringify(settings({ stateDir: join(tmp.dir, 'sqlite-state') })));
    start();
    await receiver.waitFor((reqs) => reqs.filter((r) => r.path === '/t1').length >= 2, 60_000).catch((err: Error) => { throw new Error(`${err.message}\n${tail()}`); });
    const openedAt = receiver.requests.find((r) => r.path === '/t1')!.at;
    process.kill(-child!.pid!, 'SIGTERM');
    await exited;
    // Phase 2: copy; a second copy is refused; the CLI names bad flags with exit 2.
    const copy = cli('db', 'copy', '--from', `sqlite:${join(tmp.dir, 'sqlite-state', 'noctua.db')}`, '--to', pgUrl);
    expect(copy.status, copy.stderr).toBe(0);
    expect(copy.stdout).toMatch(/as its first snapshot/);
    const again = cli('db', 'copy', '--from', `sqlite:${join(tmp.dir, 'sqlite-state', 'noctua.db')}`, '--to', pgUrl);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/already holds Noctua state \(1 snapshots, 0 journal entries\)/);
    const bad = cli('db', 'copy', '--from', 'sqlite:x.db', '--to', 'mysql://h/db');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--from: x\.db: no such file|--to: expected a postgres:\/\//);
    expect(cli('db', 'copy', '--from', `sqlite:${join(tmp.dir, 'sqlite-state', 'noctua.db')}`, '--to', 'postgres://').stderr).toMatch(/--to: expected a postgres:\/\/user:password@host:port\/database URL/);
    // Phase 3: PostgreSQL, a fresh state directory; the receiver is back.
    receiver.respond(() => ({ status: 200, body: { ok: true } }));
    const t1Before = receiver.requests.filter((r) => r.path === '/t1').length;
    process.env.NOCTUA_DBCOPY_PG_URL = pgUrl;
    writeFileSync(join(configDir, 'noctua.yaml'), stringify(settings({ stateDir: join(tmp.dir, 'pg-state'), state: { store: '${NOCTUA_DBCOPY_PG_URL}' } })));
    const migrate = cli('db', 'migrate', '--config', configDir);
    expect(migrate.status, migrate.stderr).toBe(0);
    expect(migrate.stdout).toMatch(/up to date \(version 1\)/);
    start();
    await receiver.waitFor(() => delivered('t1').length > 0 && delivered('t2').length > 0, T2_MS + 40_000).catch((err: Error) => { throw new Error(`${err.message}\n${tail()}`); });
    await new Promise((r) => setTimeout(r, 3000));
    expect(delivered('t1')).toHaveLength(1);
    expect(receiver.requests.filter((r) => r.path === '/t1').length).toBe(t1Before + 1);
    const t2 = delivered('t2');
    expect(t2).toHaveLength(1);
    expect(t2[0]!.at - openedAt).toBeGreaterThanOrEqual(T2_MS - 2000);
    expect(t2[0]!.at - openedAt).toBeLessThan(T2_MS + 10_000);
    expect((t2[0]!.json as { incident: { id: string } }).incident.id).toBe((delivered('t1')[0]!.json as { incident: { id: string } }).incident.id);
  }, 150_000);

  it('a state.store that is not sqlite or a postgres URL is refused naming the field', () => {
    const dir = join(tmp.dir, 'bad-config');
    mkdirSync(dir);
    writeFileSync(join(dir, 'noctua.yaml'), stringify({ state: { store: 'mysql://h/db' } }));
    writeFileSync(join(dir, 'devices.yaml'), 'devices: []\n');
    const r = cli('check-config', '--config', dir);
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/noctua\.yaml:\d+:\d+ state\.store: expected "sqlite" or a postgres:\/\//);
  });
});
