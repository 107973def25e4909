import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { command as backupCommand } from '../../src/cli/config-backup.js';
import { command as diffCommand } from '../../src/cli/config-diff.js';
import { createBackupRunner, type BackupOutcome } from '../../src/config-backup/runner.js';
import { deviceFileName } from '../../src/config-backup/store.js';
import type { BackupTarget } from '../../src/config-backup/targets.js';
import { loadVendors } from '../../src/config-backup/vendor.js';
import { tempDir } from '../helpers/tmp.js';
import { DEVICES, forceCommand, recording, writeDeviceData, type EmulatedDevice } from './fixture.js';
import { makeHostKey, startSshd, type SshdInstance } from './sshd.js';

const tmp = tempDir('noctua-cfgbak-');
const dataDir = tmp.dir;
const stateDir = join(tmp.dir, 'state');
const repo = join(stateDir, 'config-backup', 'repo');
const vendors = loadVendors();
let sshd: SshdInstance;

const limits = { connectTimeout: 8000, idleTimeout: 3000, sessionTimeout: 30_000 };
const runner = () => createBackupRunner({ stateDir, concurrency: 3, limits });
const emu = (user: string) => DEVICES.find((d) => d.user === user)!;
function target(d: EmulatedDevice, over: Partial<BackupTarget['ssh']> = {}, port = sshd.port): BackupTarget {
  return { device: d.user, address: '127.0.0.1', vendor: vendors.get(d.vendor)!, ssh: { platform: d.vendor, port, user: d.user, password: d.password, enableSecret: d.enableSecret, ...over } };
}
const live = DEVICES.filter((d) => !d.mute);
const stored = (device: string) => readFileSync(join(repo, deviceFileName(device)), 'utf8');
const commits = () => Number(execFileSync('git', ['rev-list', '--count', 'HEAD'], { cwd: repo }).toString().trim());
const byDevice = (out: BackupOutcome[]) => new Map(out.map((o) => [o.device, o]));

/** Runs a CLI command and returns its exit code and what it printed. */
async function cli(cmd: { run(argv: string[]): Promise<number> }, argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = []; const err: string[] = [];
  const log = console.log; const error = console.error; const write = process.stdout.write.bind(process.stdout);
  console.log = (...a: unknown[]) => { out.push(`${a.join(' ')}\n`); };
  console.error = (...a: unknown[]) => { err.push(`${a.join(' ')}\n`); };
  process.stdout.write = ((s: string) => { out.push(String(s)); return true; }) as typeof process.stdout.write;
  try { return { code: await cmd.run(argv), out: out.join(''), err: err.join('') }; } finally { console.log = log; console.error = error; process.stdout.write = write; }
}

beforeAll(async () => {
  writeDeviceData(dataDir);
  sshd = await startSshd({ dir: dataDir, hostKey: makeHostKey(join(dataDir, 'host_key')), users: DEVICES.map((d) => ({ name: d.user, password: d.password })), forceCommand: forceCommand(dataDir) });
}, 30_000);

afterAll(async () => {
  await sshd?.stop();
  tmp.cleanup();
});

describe('configuration backup through a real sshd and the vendor CLI emulator', () => {
  it('stores every vendor\'s running configuration in git, pagers answered, prompts and volatile lines left out', async () => {
    const out = byDevice(await runner().run(live.map((d) => target(d)), { by: 'test', reason: 'first run' }));
    for (const d of live) expect(out.get(d.user), JSON.stringify(out.get(d.user))).toMatchObject({ ok: true, result: { changed: true, first: true } });
    expect(commits()).toBe(live.length);
    // Comware has nothing volatile: what is stored is exactly what the device holds.
    expect(stored('h3c')).toBe(readFileSync(recording('h3c-comware'), 'utf8'));
    for (const d of live) {
      const text = stored(d.user);
      expect(text, d.user).not.toMatch(/More|\x1b|\x08|\r/);
      expect(text, d.user).not.toContain(`${d.hostname}>`);
      expect(text, d.user).not.toContain(`${d.hostname}#`);
    }
    const vrp = stored('huawei');
    expect(vrp.split('\n')[0]).toBe('!Software Version V200R019C10SPC800');
    expect(vrp).not.toContain('!Last configuration was updated');
    expect(vrp.trimEnd().endsWith('\nreturn')).toBe(true);
    expect(vrp).toContain(' port trunk allow-pass vlan 10 20 30\n#\ninterface GigabitEthernet0/0/2'); // joined across a page break
    const ios = stored('cisco');
    expect(ios).not.toMatch(/Last configuration change|NVRAM config last updated|ntp clock-period|Building configuration/);
    expect(ios).toContain('hostname EDGE-R1\n');
    expect(ios.trimEnd().endsWith('\nend')).toBe(true);
    expect(stored('ruijie')).toContain('enable secret 5 $1$xk9A$');
    expect(stored('nxos')).not.toMatch(/!Time:|last done at/);
    expect(stored('junos').split('\n')[0]).toBe('set version 21.4R3.15');
    expect(stored('junos').trimEnd().endsWith('then discard')).toBe(true);
    expect(stored('forti')).toContain('set password ENC <changes on every read>');
    expect(stored('forti')).not.toContain('#conf_file_ver');
    expect(statSync(join(repo, deviceFileName('cisco'))).mode & 0o777).toBe(0o600);
    expect(statSync(repo).mode & 0o777).toBe(0o700);
  }, 60_000);

  it('makes no new version when only time stamps, clock-period and re-encrypted secrets changed', async () => {
    const before = commits();
    await new Promise((r) => setTimeout(r, 1100)); // the emulator's time stamps move on by at least a second
    const out = await runner().run(live.map((d) => target(d)), { by: 'test', reason: 'second run' });
    for (const o of out) expect(o, o.device).toMatchObject({ ok: true, result: { changed: false } });
    expect(commits()).toBe(before);
  }, 60_000);

  it('makes one new version for a real change, and config-diff prints its unified diff (secrets masked on request)', async () => {
    const cfgDir = join(tmp.dir, 'config');
    execFileSync('mkdir', ['-p', cfgDir]);
    writeFileSync(join(cfgDir, 'noctua.yaml'), `stateDir: ${stateDir}\nconfigBackup:\n  concurrency: 2\n  idleTimeout: 3s\n`);
    writeFileSync(join(cfgDir, 'devices.yaml'), [
      'defaults:', '  snmp: false', '  ssh: { platform: cisco-ios, port: ' + sshd.port + ', user: cisco, password: "${CFGBAK_PW}" }',
      'devices:', '  - { name: cisco, address: 127.0.0.1, class: router, ssh: { enableSecret: "${CFGBAK_ENABLE}" } }', '',
    ].join('\n'));
    process.env.CFGBAK_PW = emu('cisco').password;
    process.env.CFGBAK_ENABLE = emu('cisco').enableSecret;
    const file = join(dataDir, 'cisco.cfg');
    writeFileSync(file, readFileSync(file, 'utf8').replace('snmp-server location DC1 row 3', 'snmp-server location DC1 row 4'));
    const before = commits();
    const b = await cli(backupCommand, ['cisco', '--config', cfgDir]);
    expect(b.code, b.out + b.err).toBe(0);
    expect(b.out).toMatch(/^ok {4}cisco {2}new version \(\+1 -1 lines\) [0-9a-f]{10}/);
    expect(commits()).toBe(before + 1);
    const log = execFileSync('git', ['log', '-1', '--format=%B'], { cwd: repo }).toString();
    expect(log).toContain('Trigger: on demand: noctua config-backup (named devices)');
    expect(log).toMatch(/By: \S+/);

    const d = await cli(diffCommand, ['cisco', '--config', cfgDir]);
    expect(d.code).toBe(0);
    const changed = d.out.split('\n').filter((l) => /^[+-][^+-]/.test(l));
    expect(changed).toEqual(['-snmp-server location DC1 row 3', '+snmp-server location DC1 row 4']);
    expect(d.out).toContain(' snmp-server community N0cR3ad RO');
    const masked = await cli(diffCommand, ['cisco', '--masked', '--config', cfgDir]);
    expect(masked.out).toContain(' snmp-server community ****** RO');
    expect(masked.out).not.toContain('N0cR3ad');

    const list = await cli(diffCommand, ['cisco', '--list', '--config', cfgDir]);
    const ids = list.out.trim().split('\n').map((l) => l.split(/\s+/)[0]!);
    expect(ids).toHaveLength(2);
    const again = await cli(diffCommand, ['cisco', '--from', ids[1]!, '--to', ids[0]!, '--config', cfgDir]);
    expect(again.out).toBe(d.out);
    await expect(cli(diffCommand, ['cisco', '--from=--output=/tmp/x', '--config', cfgDir])).rejects.toThrow(/--from: expected a version id/);
    const missing = await cli(diffCommand, ['cisco', '--from', 'deadbeef', '--config', cfgDir]);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('config-diff: no such version of device "cisco" (see `noctua config-diff cisco --list`)');
    const none = await cli(diffCommand, ['nosuch', '--config', cfgDir]);
    expect(none).toMatchObject({ code: 1, err: expect.stringContaining('no stored configuration for device "nosuch"') });
  }, 60_000);

  it('fails a wrong password, a wrong enable secret and a silent device each on their own, without holding the others', async () => {
    const targets = [
      target(emu('mute')),
      target(emu('huawei'), { password: 'not-the-password' }),
      target(emu('ruijie'), { enableSecret: 'wrong-enable' }),
      ...['h3c', 'nxos', 'junos', 'forti'].map((u) => target(emu(u))),
    ];
    const started = Date.now();
    const out = byDevice(await createBackupRunner({ stateDir, concurrency: 2, limits }).run(targets, { by: 'test', reason: 'failures' }));
    const mute = out.get('mute')!;
    expect(mute).toMatchObject({ ok: false, kind: 'timeout' });
    expect(mute.ok === false && mute.error).toBe('mute: no CLI prompt after login within 3s (the device sent nothing)');
    expect(out.get('huawei')).toMatchObject({ ok: false, kind: 'auth', error: expect.stringMatching(/^huawei: authentication failed for user "huawei" at 127\.0\.0\.1:\d+ \(wrong user name or password\?\)$/) });
    expect(out.get('ruijie')).toMatchObject({ ok: false, kind: 'enable', error: 'ruijie: enable refused the secret (wrong ssh.enableSecret?)' });
    for (const u of ['h3c', 'nxos', 'junos', 'forti']) expect(out.get(u), u).toMatchObject({ ok: true });
    // The silent device held one of two slots for its idle timeout; the rest went through the other slot meanwhile.
    expect(mute.ms).toBeGreaterThanOrEqual(limits.idleTimeout - 50);
    expect(Date.now() - started).toBeLessThan(limits.idleTimeout + 8000);
  }, 60_000);
});

describe('host keys pinned on first use', () => {
  it('refuses a changed host key loudly, keeps the pinned one, and takes the new one only after --forget-host-key', async () => {
    const dir = join(tmp.dir, 'hk');
    execFileSync('mkdir', ['-p', dir]);
    const dev: EmulatedDevice = { user: 'hkdev', vendor: 'cisco-nxos', hostname: 'N9K-HK', password: 'hk-pass-1' };
    writeDeviceData(dir, [dev]);
    const users = [{ name: dev.user, password: dev.password }];
    const keyA = makeHostKey(join(dir, 'key_a'));
    const keyB = makeHostKey(join(dir, 'key_b'));
    const fp = (k: string) => execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${k}.pub`]).toString().split(' ')[1]!;
    const knownHosts = join(stateDir, 'config-backup', 'known-hosts.json');
    let server = await startSshd({ dir, hostKey: keyA, users, forceCommand: forceCommand(dir) });
    const port = server.port;
    try {
      const first = await runner().run([target(dev, {}, port)], { by: 'test', reason: 'pin' });
      expect(first[0]).toMatchObject({ ok: true });
      expect(JSON.parse(readFileSync(knownHosts, 'utf8'))[`127.0.0.1:${port}`]).toMatchObject({ fingerprint: fp(keyA), algorithm: 'ssh-ed25519', device: 'hkdev' });
      expect(statSync(knownHosts).mode & 0o777).toBe(0o600);
      await server.stop();
      server = await startSshd({ dir, port, hostKey: keyB, users, forceCommand: forceCommand(dir) });
      const before = commits();
      const second = (await runner().run([target(dev, {}, port)], { by: 'test', reason: 'changed key' }))[0]!;
      expect(second).toMatchObject({ ok: false, kind: 'host-key-changed' });
      const msg = second.ok ? '' : second.error;
      expect(msg).toContain(`hkdev: HOST KEY CHANGED at 127.0.0.1:${port}: pinned ${fp(keyA)}`);
      expect(msg).toContain(`but the device offered ${fp(keyB)}`);
      expect(msg).toContain('noctua config-backup --forget-host-key hkdev');
      expect(JSON.parse(readFileSync(knownHosts, 'utf8'))[`127.0.0.1:${port}`].fingerprint).toBe(fp(keyA));
      expect(commits()).toBe(before);

      const cfgDir = join(dir, 'config');
      execFileSync('mkdir', ['-p', cfgDir]);
      writeFileSync(join(cfgDir, 'noctua.yaml'), `stateDir: ${stateDir}\n`);
      writeFileSync(join(cfgDir, 'devices.yaml'), `devices:\n  - { name: hkdev, address: 127.0.0.1, class: switch, snmp: false, ssh: { platform: cisco-nxos, port: ${port}, user: hkdev, password: hk-pass-1 } }\n`);
      const f = await cli(backupCommand, ['--forget-host-key', 'hkdev', '--config', cfgDir]);
      expect(f.out).toContain(`hkdev: forgot host key ${fp(keyA)} for 127.0.0.1:${port}`);
      const third = await cli(backupCommand, ['hkdev', '--config', cfgDir]);
      expect(third.code, third.out).toBe(0);
      expect(JSON.parse(readFileSync(knownHosts, 'utf8'))[`127.0.0.1:${port}`].fingerprint).toBe(fp(keyB));
    } finally {
      await server.stop();
    }
  }, 60_000);
});
