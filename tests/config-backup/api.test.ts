import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Device } from '../../src/config/inventory-schema.js';
import { configBackupSectionSchema } from '../../src/config/sections/config-backup.js';
import { FakeClock } from '../../src/core/clock.js';
import type { Sample } from '../../src/core/sample.js';
import { backupPaths } from '../../src/config-backup/runner.js';
import { startConfigBackup, type ConfigBackupRuntime } from '../../src/config-backup/service.js';
import { ConfigStore } from '../../src/config-backup/store.js';
import { configBackupApi } from '../../src/runtime/config-backup.js';
import { tempDir } from '../helpers/tmp.js';
import { appOver, bearer, MemoryNoc } from '../api/memory-noc.js';
import { freePort } from './sshd.js';
import { recording } from './fixture.js';

// The API over the real service: a real git store with versions made at known times (the injected clock), the
// shipped compliance rules, and jobs against a device whose SSH port is closed (a failure, as data).
const tmp = tempDir('noctua-cfgbak-api-');
const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 23, 8, 0, 0);
const clock = new FakeClock(T0);
const published: Sample[] = [];
const silent = { info() {}, warn() {}, error() {} };
let backup: ConfigBackupRuntime;
let app: FastifyInstance;
let noc: MemoryNoc;
const commits: string[] = [];

const ios = readFileSync(recording('cisco-ios'), 'utf8').replace(/^.*\{\{\w+\}\}.*\n/gm, '');
const device = (name: string, parent?: string): Device => ({
  name, address: '127.0.0.1', class: 'router', site: 'hq', tags: [], snmp: false, icmp: false, enabled: true, parent,
  intervals: { icmp: 30_000, snmp: 60_000, inventory: 3_600_000 },
});
const inventory = [device('core-sw'), device('edge-r1', 'core-sw'), device('lonely')];

beforeAll(async () => {
  const configDir = join(tmp.dir, 'config');
  mkdirSync(configDir);
  const closed = await freePort();
  writeFileSync(join(configDir, 'devices.yaml'), stringify({
    defaults: { ssh: { user: 'netops', password: 'pw-1', port: closed } },
    devices: [
      { name: 'core-sw', address: '127.0.0.1', class: 'switch', ssh: { platform: 'huawei-vrp' } },
      { name: 'edge-r1', address: '127.0.0.1', class: 'router', parent: 'core-sw', ssh: { platform: 'cisco-ios' } },
    ],
  }));
  const stateDir = join(tmp.dir, 'state');
  const store = new ConfigStore(backupPaths(stateDir).repo);
  const at = (m: number) => new Date(T0 - m * MIN);
  const save = async (dev: string, text: string, m: number, reason: string) => {
    const r = await store.save(dev, text, { by: 'alice', reason, kind: 'cli' }, at(m));
    if (r.changed) commits.push(r.commit);
  };
  await save('edge-r1', ios, 600, 'first');
  await save('edge-r1', ios.replace('snmp-server community N0cR3ad RO', 'snmp-server community N3wS3cret RO\nlogging host 192.0.2.60'), 30, 'night change');
  await save('core-sw', readFileSync(recording('huawei-vrp'), 'utf8').replace(/^.*\{\{\w+\}\}.*\n/gm, ''), 300, 'first');
  backup = await startConfigBackup({
    configDir, stateDir, settings: configBackupSectionSchema.parse({ schedule: false, connectTimeout: '2s' }), timeZone: 'UTC',
    devices: () => inventory, publish: (x) => { published.push(...x); }, clock, log: silent,
  });
  ({ app, noc } = appOver({}, new MemoryNoc(), (s) => { s.configBackups = configBackupApi(backup); }));
  await app.ready();
});
afterAll(async () => { await app?.close(); await backup?.stop(); tmp.cleanup(); });

describe('configuration backup API', () => {
  it('lists a device\'s versions newest first with what triggered each and who asked', async () => {
    const r = await app.inject({ url: '/api/v1/devices/edge-r1/configs', headers: bearer('viewer') });
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body.versions.map((v: { commit: string }) => v.commit)).toEqual([commits[1], commits[0]]);
    expect(body.versions[0]).toMatchObject({ added: 2, removed: 1, first: false, trigger: { kind: 'cli', reason: 'night change', by: 'alice' }, time: new Date(T0 - 30 * MIN).toISOString() });
    expect(body.versions[1]).toMatchObject({ first: true });
  });

  it('masks secrets in a version and in a diff for viewers and operators, and shows them to admins', async () => {
    for (const role of ['viewer', 'operator'] as const) {
      const text = (await app.inject({ url: `/api/v1/devices/edge-r1/configs/${commits[1]}`, headers: bearer(role) })).json();
      expect(text.masked).toBe(true);
      expect(text.text).toContain('snmp-server community ****** RO');
      expect(text.text).not.toContain('N3wS3cret');
      expect(text.text).not.toMatch(/\$9\$/);
      const diff = (await app.inject({ url: '/api/v1/devices/edge-r1/configs/diff', headers: bearer(role) })).json();
      expect(diff).toMatchObject({ from: commits[0], to: commits[1], masked: true });
      expect(diff.diff).toContain('-snmp-server community ****** RO');
      expect(diff.diff).toContain('+logging host 192.0.2.60');
      expect(diff.diff).not.toMatch(/N0cR3ad|N3wS3cret/);
    }
    const admin = (await app.inject({ url: `/api/v1/devices/edge-r1/configs/diff?from=${commits[0]!.slice(0, 8)}&to=${commits[1]}`, headers: bearer('admin') })).json();
    expect(admin.masked).toBe(false);
    expect(admin.diff).toContain('-snmp-server community N0cR3ad RO');
    expect(admin.diff).toContain('+snmp-server community N3wS3cret RO');
  });

  it('answers 400 for a malformed version id and 404 for an unknown device or a version of another device', async () => {
    const bad = await app.inject({ url: '/api/v1/devices/edge-r1/configs/diff?from=HEAD~1', headers: bearer('viewer') });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/querystring.from: .*0-9a-f.*HEAD~1/);
    const unknown = await app.inject({ url: '/api/v1/devices/nope/configs', headers: bearer('viewer') });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().message).toContain('device "nope"');
    const other = await app.inject({ url: `/api/v1/devices/core-sw/configs/${commits[1]}`, headers: bearer('viewer') });
    expect(other.statusCode).toBe(404);
    expect(other.json().message).toContain(`version ${commits[1]} of device "core-sw"`);
  });

  it('shows a configuration change of the device\'s parent on an incident opened 5 minutes after it, not one outside the window', async () => {
    // core-sw's only version is a first backup (not a change); edge-r1 changed at T0-30 min.
    noc.openIncident({ id: 'inc-1', device: 'edge-r1', severity: 'P2', title: 'link down', openedAt: new Date(T0 - 25 * MIN) });
    const r = (await app.inject({ url: '/api/v1/incidents/inc-1', headers: bearer('viewer') })).json();
    expect(r.configChanges).toEqual([expect.objectContaining({ device: 'edge-r1', commit: commits[1], minutesBefore: 5, added: 2, removed: 1, diff: `/api/v1/devices/edge-r1/configs/diff?to=${commits[1]}` })]);
    noc.openIncident({ id: 'inc-2', device: 'edge-r1', severity: 'P2', title: 'link down', openedAt: new Date(T0 + 40 * MIN) });
    expect((await app.inject({ url: '/api/v1/incidents/inc-2', headers: bearer('viewer') })).json().configChanges).toEqual([]);
    noc.openIncident({ id: 'inc-3', device: 'lonely', severity: 'P3', title: 'cpu', openedAt: new Date(T0 - 25 * MIN) });
    expect((await app.inject({ url: '/api/v1/incidents/inc-3', headers: bearer('viewer') })).json().configChanges).toEqual([]);
  });

  it('reports compliance per device and rule from the stored configurations, evidence masked', async () => {
    const r = (await app.inject({ url: '/api/v1/compliance', headers: bearer('viewer') })).json();
    expect(r.devices.map((d: { device: string }) => d.device)).toEqual(['core-sw', 'edge-r1']);
    const edge = r.devices.find((d: { device: string }) => d.device === 'edge-r1');
    const byRule = Object.fromEntries(edge.results.map((x: { rule: string }) => [x.rule, x]));
    expect(byRule['syslog-host-set'].passed).toBe(true); // the night change added a logging host
    expect(byRule['snmp-community-restricted']).toMatchObject({ passed: false, violations: 1, evidence: [{ text: 'snmp-server community ****** RO' }] });
    expect(byRule['aaa-remote'].passed).toBe(false);
    const one = await app.inject({ url: '/api/v1/devices/core-sw/compliance', headers: bearer('viewer') });
    expect(one.json().failed).toBeGreaterThan(0);
    expect((await app.inject({ url: '/api/v1/compliance?device=ghost', headers: bearer('viewer') })).statusCode).toBe(404);
  });

  it('runs an on-demand job for operators only, with progress per device and a clear failure for a closed SSH port', async () => {
    expect((await app.inject({ method: 'POST', url: '/api/v1/config-backups', headers: bearer('viewer'), payload: {} })).statusCode).toBe(403);
    const bad = await app.inject({ method: 'POST', url: '/api/v1/config-backups', headers: bearer('operator'), payload: { devices: ['edge-r1', 'ghost'] } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toContain('body.devices[1]: a device with ssh settings in devices.yaml, got "ghost"');
    const started = await app.inject({ method: 'POST', url: '/api/v1/config-backups', headers: bearer('operator'), payload: { devices: ['edge-r1'] } });
    expect(started.statusCode).toBe(202);
    const id = started.json().id as string;
    expect(started.headers.location).toBe(`/api/v1/config-backups/jobs/${id}`);
    await backup.idle();
    const job = (await app.inject({ url: `/api/v1/config-backups/jobs/${id}`, headers: bearer('viewer') })).json();
    expect(job).toMatchObject({ state: 'done', trigger: { kind: 'api', by: 'alice' }, progress: { total: 1, done: 1, ok: 0, failed: 1 } });
    expect(job.devices[0]).toMatchObject({ device: 'edge-r1', state: 'failed', result: 'connect' });
    expect(job.devices[0].error).toMatch(/edge-r1/);
    expect((await app.inject({ url: '/api/v1/config-backups/jobs/00000000-0000-4000-8000-000000000000', headers: bearer('viewer') })).statusCode).toBe(404);
  });
});
