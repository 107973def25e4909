import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFullConfig } from '../../src/config-check/load.js';
import type { Sink } from '../../src/core/bus.js';
import type { Sample } from '../../src/core/sample.js';
import { freeUdpPort, waitFor } from '../../src/lab/ports.js';
import { startNoctua, type NoctuaRuntime } from '../../src/main.js';
import { configBackupSectionSchema } from '../../src/config/sections/config-backup.js';
import { systemClock } from '../../src/core/clock.js';
import { startConfigBackup } from '../../src/config-backup/service.js';
import { tempDir } from '../helpers/tmp.js';
import { DEVICES, forceCommand, writeDeviceData } from './fixture.js';
import { makeHostKey, startSshd, type SshdInstance } from './sshd.js';

// `noctua start` as it runs: the real syslog receiver hears a Cisco %SYS-5-CONFIG_I line that util-linux `logger`
// sends from the device's address, the event goes on the bus, and configuration backup reads the device over a
// real sshd (the CLI emulator behind it) once the debounce time has passed; its samples go on the same bus.
const DEBOUNCE_MS = 2000;
const tmp = tempDir('noctua-cfgbak-trigger-');
const dataDir = join(tmp.dir, 'devices');
const repo = join(tmp.dir, 'state', 'config-backup', 'repo');
const got: Sample[] = [];
const cisco = DEVICES.find((d) => d.user === 'cisco')!;
let sshd: SshdInstance;
let rt: NoctuaRuntime | undefined;
let syslogPort = 0;

/** Commit bodies, newest first; none while the repository is missing or still has no commit. */
function commits(): string[] {
  if (!existsSync(join(repo, '.git'))) return [];
  const git = (args: string[]) => execFileSync('git', args, { cwd: repo, env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null' }, stdio: ['ignore', 'pipe', 'ignore'] }).toString();
  try { git(['rev-parse', '--verify', '-q', 'HEAD']); } catch { return []; }
  return git(['log', '--format=%H%x09%b%x1e']).split('\x1e').filter((s) => s.trim());
}

function logger(line: string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn('logger', ['--server', '127.0.0.1', '--udp', '--port', String(syslogPort), '--rfc3164', '-t', 'EDGE-R1']);
    child.on('close', (code) => resolve(code ?? 1));
    child.stdin.end(`${line}\n`);
  });
}

beforeAll(async () => {
  mkdirSync(dataDir);
  writeDeviceData(dataDir, [cisco]);
  sshd = await startSshd({ dir: dataDir, hostKey: makeHostKey(join(dataDir, 'host_key')), users: [{ name: cisco.user, password: cisco.password }], forceCommand: forceCommand(dataDir) });
  syslogPort = await freeUdpPort();
  const dir = join(tmp.dir, 'config');
  mkdirSync(dir);
  writeFileSync(join(dir, 'noctua.yaml'), stringify({
    stateDir: join(tmp.dir, 'state'), scheduler: { selfInterval: '10s', drainTimeout: '2s' },
    events: { syslog: { enabled: true, udp: `127.0.0.1:${syslogPort}`, tcp: false } },
    configBackup: { schedule: false, onConfigChange: { debounce: `${DEBOUNCE_MS / 1000}s` }, connectTimeout: '10s', idleTimeout: '10s' },
  }));
  writeFileSync(join(dir, 'devices.yaml'), stringify({
    devices: [{
      name: 'edge-r1', address: '127.0.0.1', class: 'router', snmp: false, icmp: false,
      ssh: { platform: 'cisco-ios', user: cisco.user, password: cisco.password, enableSecret: cisco.enableSecret, port: sshd.port },
    }],
  }));
  const sink: Sink = { name: 'memory', async write(b) { got.push(...b); }, async close() {} };
  rt = await startNoctua(loadFullConfig(dir), pino({ level: 'silent' }), { sinks: [sink], noStorage: true, noApi: true });
}, 30_000);
afterAll(async () => { await rt?.stop(); await sshd?.stop(); tmp.cleanup(); });

describe('a configuration-change syslog line triggers a backup', () => {
  it('backs the device up after the debounce time, once for a burst of reports', async () => {
    expect(commits()).toEqual([]);
    const sent = Date.now();
    expect(await logger('%SYS-5-CONFIG_I: Configured from console by admin on vty0 (10.0.0.5)')).toBe(0);
    await new Promise((r) => setTimeout(r, 300));
    expect(await logger('%SYS-5-CONFIG_I: Configured from console by bob on vty1 (10.0.0.6)')).toBe(0);
    await waitFor('the config-change events on the bus', async () => got.filter((s) => s.measurement === 'event' && s.tags.type === 'config-change' && s.tags.device === 'edge-r1').length === 2, 5000, 25);
    await waitFor('the first backup commit', async () => commits().length === 1, DEBOUNCE_MS + 20_000, 50);
    const took = Date.now() - sent;
    // Debounced from the second report, which came 300 ms after the first.
    expect(took).toBeGreaterThanOrEqual(DEBOUNCE_MS + 300);
    const body = commits()[0]!;
    expect(body).toContain('Kind: config-change');
    expect(body).toContain('By: edge-r1');
    expect(body).toMatch(/Trigger: configuration change reported \(2 reports\): SYS\/CONFIG_I: Configured from console by bob/);
    await waitFor('the compliance samples', async () => got.some((s) => s.measurement === 'compliance' && s.tags.device === 'edge-r1' && s.tags.rule === '_all'), 5000, 25);
    const first = got.find((s) => s.measurement === 'config_change' && s.tags.device === 'edge-r1')!;
    expect(first).toMatchObject({ tags: { trigger: 'config-change' }, fields: { first: true } });
    // One backup for the two reports: a second one would publish a second set of compliance samples.
    await new Promise((r) => setTimeout(r, 1500));
    expect(got.filter((s) => s.measurement === 'compliance' && s.tags.rule === '_all')).toHaveLength(1);
  });

  it('makes a new version with the right line counts when the device really changed, and a config_change sample', async () => {
    const cfg = join(dataDir, `${cisco.user}.cfg`);
    writeFileSync(cfg, readFileSync(cfg, 'utf8').replace('snmp-server location DC1 row 3', 'snmp-server location DC1 row 4\nlogging host 192.0.2.60'));
    const before = got.filter((s) => s.measurement === 'config_change').length;
    expect(await logger('%SYS-5-CONFIG_I: Configured from console by admin on vty0 (10.0.0.5)')).toBe(0);
    await waitFor('the second backup commit', async () => commits().length === 2, DEBOUNCE_MS + 20_000, 50);
    expect(commits()[0]).toContain('Lines: +2 -1');
    await waitFor('the config_change sample', async () => got.filter((s) => s.measurement === 'config_change').length === before + 1, 5000, 25);
    const change = got.filter((s) => s.measurement === 'config_change').at(-1)!;
    expect(change).toMatchObject({ tags: { device: 'edge-r1', trigger: 'config-change', class: 'router' }, fields: { added: 2n, removed: 1n, first: false } });
    await waitFor('the compliance sample of the new version', async () => got.some((s) => s.measurement === 'compliance' && s.tags.rule === 'syslog-host-set' && s.fields.passed === true), 5000, 25);
  });

  it('takes no backup for a syslog line of another type from the same device', async () => {
    const n = commits().length;
    const backups = got.filter((s) => s.measurement === 'compliance' && s.tags.rule === '_all').length;
    expect(await logger('%LINK-3-UPDOWN: Interface GigabitEthernet0/3, changed state to down')).toBe(0);
    await waitFor('the link-down event', async () => got.some((s) => s.measurement === 'event' && s.tags.type === 'link-down'), 5000, 25);
    await new Promise((r) => setTimeout(r, DEBOUNCE_MS + 1500));
    expect(commits().length).toBe(n);
    expect(got.filter((s) => s.measurement === 'compliance' && s.tags.rule === '_all')).toHaveLength(backups);
  });

  it('backs every device up on the cron schedule and stops with the service', async () => {
    const state = join(tmp.dir, 'scheduled-state');
    const published: Sample[] = [];
    const warnings: string[] = [];
    const backup = await startConfigBackup({
      configDir: join(tmp.dir, 'config'), stateDir: state, timeZone: 'Asia/Shanghai', clock: systemClock,
      log: { info() {}, warn(o, m) { warnings.push(m); }, error(o, m) { warnings.push(m); } },
      // Generous waits: on a loaded machine the emulator may take seconds to show its prompt.
      settings: configBackupSectionSchema.parse({ schedule: '*/3 * * * * *', connectTimeout: '10s', idleTimeout: '10s' }),
      devices: () => [], publish: (x) => { published.push(...x); },
    });
    try {
      try {
        await waitFor('a scheduled backup', async () => published.some((s) => s.measurement === 'config_change' && s.tags.trigger === 'schedule'), 45_000, 50);
      } catch (err) { throw new Error(`${(err as Error).message}; backup warnings: ${warnings.slice(-5).join(' | ') || 'none'}`); }
      const body = execFileSync('git', ['log', '-1', '--format=%b'], { cwd: join(state, 'config-backup', 'repo'), env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null' } }).toString();
      expect(body).toContain('Kind: schedule');
      expect(body).toContain('By: schedule');
    } finally { await backup.stop(); }
    const after = published.length;
    await new Promise((r) => setTimeout(r, 3500));
    expect(published.length).toBe(after);
  }, 70_000);
});
