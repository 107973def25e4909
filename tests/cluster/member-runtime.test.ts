import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFullConfig } from '../../src/config-check/load.js';
import { freeUdpPort, waitFor } from '../../src/lab/ports.js';
import { startRedis, type RedisInstance } from '../../src/lab/redis.js';
import { startNoctua, type NoctuaRuntime } from '../../src/main.js';
import { tempDir } from '../helpers/tmp.js';
import { answeringPinger } from './answering-pinger.js';
import { run } from '../events/helpers.js';
import { DEVICES, forceCommand, writeDeviceData } from '../config-backup/fixture.js';
import { makeHostKey, startSshd } from '../config-backup/sshd.js';

/** Commits in a backup repository (0 while it has none). */
function gitCommits(repo: string): number {
  if (!existsSync(join(repo, '.git'))) return 0;
  try {
    return Number(execFileSync('git', ['rev-list', '--count', 'HEAD'], { cwd: repo, env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null' }, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim());
  } catch { return 0; }
}

function memoryLog() {
  const lines: { msg: string; [k: string]: unknown }[] = [];
  const log = pino({ level: 'debug' }, { write: (s: string) => { lines.push(JSON.parse(s) as { msg: string }); } });
  return { log, lines };
}

/** Every file under a directory, relative paths. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1));
}

const notifyYaml = (url: string) => `channels:\n  hook: { type: webhook, url: "${url}" }\npeople:\n  eng: { displayName: eng, channels: [hook] }\ntiers:\n  engineer: { notify: [{ person: eng }] }\n` +
  `policies:\n${['P1', 'P2', 'P3', 'P4'].map((p) => `  ${p}: { respond: 1h, resolve: 4h, remindBefore: 0s, steps: [{ after: 0s, tier: engineer }] }`).join('\n')}\n`;

describe('cluster members started in-process against a real Redis', () => {
  const tmp = tempDir('noctua-member-');
  let redis: RedisInstance;
  const runtimes: NoctuaRuntime[] = [];

  /** A config directory for one member; `prefix` keeps each test's keys apart in the one Redis. */
  const config = (id: string, role: 'poller' | 'core', prefix: string, extra: { notify?: string; alerts?: string; events?: object; configBackup?: object; devices?: object[] } = {}) => {
    const dir = join(tmp.dir, id);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'devices.yaml'), stringify({
      defaults: { intervals: { icmp: '1s', snmp: '1m', inventory: '1h' } },
      devices: [...Array.from({ length: 4 }, (_, i) => ({ name: `srv-${i}`, address: `127.0.5.${i + 1}`, class: 'server', snmp: false })), ...(extra.devices ?? [])],
    }));
    writeFileSync(join(dir, 'noctua.yaml'), stringify({
      stateDir: join(tmp.dir, `${id}-state`), logLevel: 'info', api: { enabled: false },
      scheduler: { instance: id, selfInterval: '1s', drainTimeout: '1s' },
      cluster: { role, redis: { url: redis.url, keyPrefix: prefix }, heartbeat: '500ms', leaderLease: '1500ms' },
      ...(extra.events ? { events: extra.events } : {}),
      ...(extra.configBackup ? { configBackup: extra.configBackup } : {}),
    }));
    if (extra.notify !== undefined) writeFileSync(join(dir, 'notify.yaml'), extra.notify);
    if (extra.alerts !== undefined) writeFileSync(join(dir, 'alerts.yaml'), extra.alerts);
    return dir;
  };

  beforeAll(async () => {
    redis = await startRedis({ dir: join(tmp.dir, 'redis') });
  }, 30_000);
  afterAll(async () => {
    for (const r of runtimes) await r.stop().catch(() => {});
    await redis?.stop();
    tmp.cleanup();
  });

  it('a pure poller polls and forwards, yet opens no state database and builds no alert engine', async () => {
    const polled: string[] = [];
    const dir = config('poller-only', 'poller', 'pure');
    const stateDir = join(tmp.dir, 'poller-only-state');
    const rt = await startNoctua(loadFullConfig(dir), memoryLog().log, { pollers: { icmp: answeringPinger(polled) }, noStorage: true, noApi: true });
    runtimes.push(rt);
    await waitFor('the poller to take its devices and poll them', async () => polled.length >= 4, 15_000, 100);
    expect(rt.alerts).toBeUndefined();
    expect(rt.db).toBeUndefined();
    await rt.stop();
    // Its spool may be there; no SQLite file, nor its WAL.
    const files = filesUnder(stateDir);
    expect(files.filter((f) => /\.db(-wal|-shm)?$/.test(f))).toEqual([]);
    expect(existsSync(join(stateDir, 'noctua.db'))).toBe(false);
  }, 30_000);

  it('a core warns on reload that a notify.yaml change applies at the next restart, as standalone does', async () => {
    const { log, lines } = memoryLog();
    const dir = config('core-reload', 'core', 'reload', { notify: notifyYaml('http://127.0.0.1:9/first') });
    const rt = await startNoctua(loadFullConfig(dir), log, { noStorage: true, noApi: true, onLeadershipLost: () => {} });
    runtimes.push(rt);
    expect(rt.escalation).toBeDefined();
    // Same inventory and noctua.yaml, another webhook URL.
    writeFileSync(join(dir, 'notify.yaml'), notifyYaml('http://127.0.0.1:9/second'));
    const n = lines.length;
    rt.reload(loadFullConfig(dir));
    const after = lines.slice(n);
    expect(after.some((l) => l.msg === 'alerts.yaml was added or removed, or notify.yaml changed: that applies at the next restart')).toBe(true);
    expect(after.some((l) => /noctua\.yaml changed/.test(l.msg))).toBe(false);
    expect(after.some((l) => l.msg === 'inventory reloaded')).toBe(true);
    await rt.stop();
    expect(lines.at(-1)!.msg).toBe('noctua stopped');
    expect(lines.filter((l) => l.msg === 'sink failed to take a batch' || l.msg === 'part did not close cleanly')).toEqual([]);
    // A pure core's bus feeds the engine: the scheduler (whose stop publishes its last self samples) stops before
    // the engine, the engine before the state database, and the leader lease goes last of the core's parts.
    const closing = lines.filter((l) => l.msg === 'closing').map((l) => String(l.part));
    const at = (part: string) => { expect(closing).toContain(part); return closing.indexOf(part); };
    expect(at('stream consumer')).toBeLessThan(at('alert engine'));
    expect(at('scheduler (before the writer and engine it feeds)')).toBeLessThan(at('alert engine'));
    expect(at('alert engine')).toBeLessThan(at('state database'));
    expect(at('state database')).toBeLessThan(at('leader lease'));
  }, 30_000);

  it('a poller hears a trap and its event travels the group stream to the core, whose engine opens the incident', async () => {
    const port = await freeUdpPort('127.0.0.1');
    const alerts = `rules:\n  - name: link-down-event\n    severity: P3\n    select: { measurement: event, match: { type: link-down } }\n    condition: { event: { resolveAfter: 1h } }\n    summary: "{{device}} {{instance}}: {{value}}"\n`;
    const core = await startNoctua(loadFullConfig(config('ev-core', 'core', 'events', { alerts })), memoryLog().log, { noStorage: true, noApi: true, onLeadershipLost: () => {} });
    runtimes.push(core);
    const events = { traps: { enabled: true, listen: `127.0.0.1:${port}`, communities: ['nocpublic'] } };
    const poller = await startNoctua(loadFullConfig(config('ev-poller', 'poller', 'events', { events })), memoryLog().log, { pollers: { icmp: answeringPinger([]) }, noStorage: true, noApi: true });
    runtimes.push(poller);
    // srv-1 (127.0.5.2) reports ifIndex 3 down, as a switch's linkDown does.
    const sent = await run('snmptrap', ['-v', '2c', '-c', 'nocpublic', '--clientaddr=127.0.5.2', `udp:127.0.0.1:${port}`, '', '1.3.6.1.6.3.1.1.5.3',
      '1.3.6.1.2.1.2.2.1.1.3', 'i', '3', '1.3.6.1.2.1.2.2.1.7.3', 'i', '1', '1.3.6.1.2.1.2.2.1.8.3', 'i', '2', '1.3.6.1.2.1.31.1.1.1.1.3', 's', 'GE0/0/3']);
    expect(sent.code, sent.stderr).toBe(0);
    const incident = await waitFor('the core to open the link-down incident', async () => core.alerts!.listIncidents({ state: 'open' }).items.length > 0, 15_000, 100)
      .then(() => core.alerts!.listIncidents({ state: 'open' }).items[0]!);
    expect(incident).toMatchObject({ device: 'srv-1' });
    expect(incident.title).toContain('GE0/0/3');
    await poller.stop();
    await core.stop();
  }, 40_000);

  it('a config-change syslog line heard by a poller starts a backup on the leading core, over a real sshd', async () => {
    const dataDir = join(tmp.dir, 'cfg-devices');
    mkdirSync(dataDir);
    const cisco = DEVICES.find((d) => d.user === 'cisco')!;
    writeDeviceData(dataDir, [cisco]);
    const sshd = await startSshd({ dir: dataDir, hostKey: makeHostKey(join(dataDir, 'host_key')), users: [{ name: cisco.user, password: cisco.password }], forceCommand: forceCommand(dataDir) });
    try {
      const port = await freeUdpPort('127.0.0.1');
      const devices = [{ name: 'edge-r1', address: '127.0.0.1', class: 'router', snmp: false, icmp: false,
        ssh: { platform: 'cisco-ios', user: cisco.user, password: cisco.password, enableSecret: cisco.enableSecret, port: sshd.port } }];
      const configBackup = { schedule: false, onConfigChange: { debounce: '1s' }, connectTimeout: '10s', idleTimeout: '10s' };
      const core = await startNoctua(loadFullConfig(config('cb-core', 'core', 'cfgbak', { devices, configBackup })), memoryLog().log, { noStorage: true, noApi: true, onLeadershipLost: () => {} });
      runtimes.push(core);
      const events = { syslog: { enabled: true, udp: `127.0.0.1:${port}`, tcp: false } };
      const poller = await startNoctua(loadFullConfig(config('cb-poller', 'poller', 'cfgbak', { devices, events })), memoryLog().log, { pollers: { icmp: answeringPinger([]) }, noStorage: true, noApi: true });
      runtimes.push(poller);
      const sent = await run('logger', ['--server', '127.0.0.1', '--udp', '--port', String(port), '--rfc3164', '-t', 'EDGE-R1'], '%SYS-5-CONFIG_I: Configured from console by admin on vty0 (10.0.0.5)\n');
      expect(sent.code, sent.stderr).toBe(0);
      // The core keeps the repository in its own state directory; the poller has none.
      const repo = join(tmp.dir, 'cb-core-state', 'config-backup', 'repo');
      await waitFor('the backup commit on the core', async () => gitCommits(repo) > 0, 30_000, 100);
      expect(existsSync(join(tmp.dir, 'cb-poller-state', 'config-backup'))).toBe(false);
      await poller.stop();
      await core.stop();
    } finally {
      await sshd.stop();
    }
  }, 60_000);
});
