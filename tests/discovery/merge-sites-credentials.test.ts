/**
 * The parts of `noctua discover` that need no network: the --credentials file (errors with file:line:col, secrets
 * never printed), the discovery.sites map (check-config errors, the most specific prefix), merging into an operator's
 * devices.yaml (comments and entries untouched, names made unique, addresses skipped, the diff) and flag misuse.
 */
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { loadConfig } from '../../src/config/loader.js';
import { discoverySectionSchema, siteOf } from '../../src/config/sections/discovery.js';
import { ConfigInvalidError, formatConfigError } from '../../src/config/yaml-source.js';
import type { ProposedDevice } from '../../src/discovery/dedupe.js';
import { loadCredentialsFile } from '../../src/discovery/credentials-file.js';
import { planMerge, unifiedDiff, writeMerge } from '../../src/discovery/merge.js';
import { loadFullConfig } from '../../src/config-check/load.js';
import { tempDir } from '../helpers/tmp.js';

const tmp = tempDir('noctua-discover-merge-');
afterAll(() => { delete process.env.SNMP_RO; tmp.cleanup(); });

/** The errors a throwing call reports, one `file:line:col path: message` line each (file by base name). */
function errorsOf(fn: () => unknown): string[] {
  try { fn(); } catch (err) {
    if (err instanceof ConfigInvalidError) return err.errors.map((e) => formatConfigError({ ...e, file: e.file.split('/').pop()! }));
    throw err;
  }
  throw new Error('expected an error');
}

describe('--credentials FILE', () => {
  const file = join(tmp.dir, 'creds.yaml');

  it('reads a list in the schema of discovery.credentials, ${ENV} resolved, and keeps the references for entries', () => {
    writeFileSync(file, [
      '- { name: campus-ro, version: 2c, community: "${CREDS_RO}" }',
      '- name: noc-v3',
      '  version: 3',
      '  user: noc',
      '  authProtocol: sha',
      '  authKey: "${CREDS_AUTH}"',
      '',
    ].join('\n'));
    const c = loadCredentialsFile(file, { CREDS_RO: 'ro-secret', CREDS_AUTH: 'auth-secret-1' });
    expect(c.credentials.map((x) => x.name)).toEqual(['campus-ro', 'noc-v3']);
    expect(c.credentials[0]).toMatchObject({ version: '2c', community: 'ro-secret' });
    expect(c.refs.get('campus-ro')).toEqual({ community: '${CREDS_RO}' });
    expect(c.refs.get('noc-v3')).toEqual({ authKey: '${CREDS_AUTH}' });
  });

  it('names FILE:line:col and the field of each mistake, and never prints a secret', () => {
    writeFileSync(file, [
      '- { name: campus-ro, version: 2c, community: "${CREDS_RO}" }',
      '- name: noc-v3',
      '  version: 3',
      '  user: noc',
      '  authProtocol: sha1',
      '  authKey: "${CREDS_AUTH}"',
      '- { name: campus-ro, version: 2c, community: literal-secret-9, port: 161 }',
      '',
    ].join('\n'));
    const lines = errorsOf(() => loadCredentialsFile(file, { CREDS_RO: 'ro-secret', CREDS_AUTH: 'short' }));
    expect(lines).toEqual(expect.arrayContaining([
      'creds.yaml:5:17 [1].authProtocol: expected md5, sha, sha224, sha256, sha384 or sha512, got "sha1"',
      'creds.yaml:6:12 [1].authKey: expected at least 8 characters (RFC 3414), got a value of 5 characters (from ${CREDS_AUTH})',
      'creds.yaml:7:64 [2].port: unknown key "port" (misspelt, or not an option here)',
    ]));
    expect(lines.join('\n')).not.toMatch(/short|literal-secret-9|ro-secret/);
  });

  it('says what it expected of a file that is not a list, or an unset variable', () => {
    writeFileSync(file, 'credentials:\n  - { name: a, version: 2c, community: x }\n');
    expect(errorsOf(() => loadCredentialsFile(file, {}))).toEqual([expect.stringMatching(/^creds\.yaml:1:1 expected a list of credentials .*got a mapping$/)]);
    writeFileSync(file, '- { name: a, version: 2c, community: "${CREDS_UNSET}" }\n');
    expect(errorsOf(() => loadCredentialsFile(file, {}))).toEqual(['creds.yaml:1:38 [0].community: environment variable CREDS_UNSET is not set (referenced as ${CREDS_UNSET})']);
    writeFileSync(file, '');
    expect(errorsOf(() => loadCredentialsFile(file, {}))[0]).toMatch(/expected a list of credentials .*got an empty file/);
  });
});

describe('discovery.sites', () => {
  it('gives an address the site of the most specific prefix', () => {
    const map = discoverySectionSchema.parse({ sites: [{ cidr: '10.0.0.0/8', site: 'wan' }, { cidr: '10.1.0.0/16', site: 'campus' }, { cidr: '10.1.7.0/24', site: 'lab' }] }).sites;
    expect(['10.1.7.9', '10.1.8.1', '10.9.0.1', '192.168.0.1'].map((a) => siteOf(a, map))).toEqual(['lab', 'campus', 'wan', undefined]);
  });

  it('refuses a bad CIDR, a prefix listed twice and an unknown site with noctua.yaml:line:col', () => {
    const dir = join(tmp.dir, 'sites');
    mkdirSync(dir);
    writeFileSync(join(dir, 'devices.yaml'), 'sites:\n  - { name: hq }\ndevices:\n  - { name: a, address: 10.1.0.1, class: switch, site: hq }\n');
    writeFileSync(join(dir, 'noctua.yaml'), [
      'discovery:',
      '  sites:',
      '    - { cidr: 10.1.0.0/16, site: hq }',
      '    - { cidr: 10.1.0.5/24, site: hq }',
      '    - { cidr: 10.1.0.0/33, site: hq }',
      '',
    ].join('\n'));
    expect(errorsOf(() => loadConfig(dir, {}))).toEqual([
      'noctua.yaml:4:15 discovery.sites[1].cidr: expected the network address of the prefix, 10.1.0.0/24, got "10.1.0.5/24"',
      'noctua.yaml:5:15 discovery.sites[2].cidr: expected an IPv4 CIDR such as 10.1.0.0/24, got "10.1.0.0/33"',
    ]);
    writeFileSync(join(dir, 'noctua.yaml'), 'discovery:\n  sites:\n    - { cidr: 10.1.0.0/16, site: hq }\n    - { cidr: 10.1.7.0/24, site: hq }\n    - { cidr: 10.1.0.0/16, site: hq }\n');
    expect(errorsOf(() => loadConfig(dir, {}))).toEqual([
      'noctua.yaml:5:15 discovery.sites[2].cidr: prefix 10.1.0.0/16 is listed twice (also sites[0], site "hq"): expected each prefix once',
    ]);
    writeFileSync(join(dir, 'noctua.yaml'), 'discovery:\n  sites:\n    - { cidr: 10.1.0.0/16, site: hq }\n    - { cidr: 10.2.0.0/16, site: branch }\n');
    expect(errorsOf(() => loadConfig(dir, {}))).toEqual(['noctua.yaml:4:34 discovery.sites[1].site: unknown site "branch" (expected one of the sites in devices.yaml: hq)']);
  });
});

const proposal = (name: string, address: string, extra: Partial<ProposedDevice> = {}): ProposedDevice => ({
  name, address, class: 'switch', foundBy: 'ICMP sweep of 10.9.0.0/24', credential: 'ro', port: 161, sysName: name, sysDescr: 'Cisco IOS',
  sysObjectID: '1.3.6.1.4.1.9.1.516', vendor: 'cisco', vendorName: 'Cisco', vendorSource: 'profile', ...extra,
});
const CREDS = [{ name: 'ro', version: '2c' as const, community: 'ro-secret' }];

describe('merging into the operator\'s devices.yaml', () => {
  const dir = join(tmp.dir, 'merge');
  const file = join(dir, 'devices.yaml');
  const OWN = [
    '# Our devices. Keep the list sorted by site.',
    'sites:',
    '  - { name: hq }',
    '  - { name: br }',
    '',
    'devices:',
    '    - name: core-1    # the core, do not touch',
    '      address: 10.9.0.1',
    '      class: router',
    '      site: hq',
    '',
    '    - { name: sw-1, address: 10.9.0.2, class: switch, site: hq }',
    '# spare: 10.9.0.99',
    '',
  ].join('\n');

  it('appends new devices after the last entry in the file\'s indentation; nothing before changes, not a comment', () => {
    // The merged file is checked as check-config would, with the environment of the process.
    process.env.SNMP_RO = 'ro-secret';
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'noctua.yaml'), 'discovery:\n  sites: [{ cidr: 10.9.0.0/24, site: br }]\n');
    writeFileSync(file, OWN);
    chmodSync(file, 0o600);
    const plan = planMerge(file, [proposal('sw-1', '10.9.0.7', { site: 'br' }), proposal('core-1', '10.9.0.1'), proposal('ap-3', '10.9.0.8')], CREDS, new Map([['ro', { community: '${SNMP_RO}' }]]), '2026-12-02T10:00:00Z');
    expect(plan.added).toEqual([{ name: 'sw-1-2', address: '10.9.0.7', renamedFrom: 'sw-1' }, { name: 'ap-3', address: '10.9.0.8' }]);
    expect(plan.skipped).toEqual([{ name: 'core-1', address: '10.9.0.1', existing: 'core-1' }]);
    const insertAt = OWN.indexOf('# spare');
    expect(plan.after.slice(0, insertAt)).toBe(OWN.slice(0, insertAt));
    expect(plan.after.endsWith('# spare: 10.9.0.99\n')).toBe(true);
    expect(plan.after.slice(insertAt)).toContain([
      '    # found 2026-12-02 by ICMP sweep of 10.9.0.0/24; SNMP answered with credential "ro" on port 161',
      '    # Cisco (cisco, by profile); sysName "sw-1"; sysObjectID 1.3.6.1.4.1.9.1.516',
      '    # sysDescr: Cisco IOS',
      '    - name: sw-1-2',
      '      address: 10.9.0.7',
      '      class: switch',
      '      site: br',
    ].join('\n'));
    expect(plan.diff.split('\n').slice(0, 6)).toEqual([
      `--- a/${file.replace(/^\//, '')}`, `+++ b/${file.replace(/^\//, '')}`, '@@ -10,5 +10,28 @@',
      '       site: hq', ' ', '     - { name: sw-1, address: 10.9.0.2, class: switch, site: hq }',
    ]);
    expect(plan.diff).toContain('+        community: ${SNMP_RO}');
    expect(plan.diff.split('\n').filter((l) => l.startsWith('-') && !l.startsWith('---'))).toEqual([]);
    writeMerge(plan);
    expect(readFileSync(file, 'utf8')).toBe(plan.after);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const cfg = loadFullConfig(dir, { SNMP_RO: 'ro-secret' });
    expect(cfg.devices.map((d) => [d.name, d.address, d.site])).toEqual([
      ['core-1', '10.9.0.1', 'hq'], ['sw-1', '10.9.0.2', 'hq'], ['sw-1-2', '10.9.0.7', 'br'], ['ap-3', '10.9.0.8', 'default'],
    ]);
  });

  it('shows a secret written literally as ****** in the diff, and writes it as it was written', () => {
    writeFileSync(file, 'devices: [] # none yet\n');
    const plan = planMerge(file, [proposal('a', '10.9.0.3')], CREDS, new Map([['ro', { community: 'ro-secret' }]]), '2026-12-02T10:00:00Z');
    expect(plan.after.startsWith('devices: # none yet\n  # found 2026-12-02')).toBe(true);
    expect(plan.after).toContain('      community: ro-secret\n');
    expect(plan.diff).toContain('+      community: ******');
    expect(plan.diff).not.toContain('ro-secret');
    expect(plan.diff).toContain('-devices: [] # none yet');
  });

  it('creates the devices list in an empty file, refuses a flow list with entries and a file that does not load', () => {
    writeFileSync(file, '# nothing yet\n');
    expect(planMerge(file, [proposal('a', '10.9.0.3')], CREDS, new Map(), 'x').after).toMatch(/^# nothing yet\ndevices:\n {2}# found/);
    writeFileSync(file, 'devices: [ { name: a, address: 10.9.0.3, class: switch } ]\n');
    expect(() => planMerge(file, [proposal('b', '10.9.0.4')], CREDS, new Map(), 'x')).toThrow(/flow list .* write it as a block list/);
    writeFileSync(file, 'devices:\n  - { name: a, address: 10.9.0.3, class: swich }\n');
    expect(errorsOf(() => planMerge(file, [], CREDS, new Map(), 'x'))).toEqual([expect.stringMatching(/^devices\.yaml:2:42 devices\[0\]\.class: expected /)]);
  });

  it('makes a one-hunk unified diff of a change in one place', () => {
    expect(unifiedDiff('f', 'a\nb\nc\n', 'a\nb\nx\nc\n')).toBe('--- a/f\n+++ b/f\n@@ -1,4 +1,5 @@\n a\n b\n+x\n c\n \n');
    expect(unifiedDiff('f', 'same\n', 'same\n')).toBe('');
  });
});

describe('noctua discover flag misuse (exit 2, before any packet)', () => {
  const dir = join(tmp.dir, 'flags');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'devices.yaml'), 'devices: [ { name: a, address: 10.9.0.3, class: switch } ]\n');
  writeFileSync(join(dir, 'found.yaml'), '# Written by Noctua discovery at 2026-12-02T00:00:00Z\ndevices: []\n');
  it.each([
    [['--dry-run'], /--dry-run goes with --merge/],
    [['--depth', '2'], /--depth goes with --follow-neighbours/],
    [['--follow-neighbours', '--depth', '4'], /--depth: expected a number from 1 to 3, got 4/],
    [['--write', 'x.yaml', '--merge', 'y.yaml'], /--write and --merge: choose one/],
    [['--merge', 'y.yaml', '--json'], /--json prints the result and writes nothing/],
    [['--merge', join(dir, 'found.yaml')], /--merge: .* was written by discovery/],
    [['--merge', join(dir, 'devices.yaml')], /--merge: .*flow list/],
    [['--rate', '0'], /--rate: expected a number from 1 to 10000, got 0/],
  ])('%j', async (args, message) => {
    let stderr = '';
    const spy = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => { stderr += `${a.join(' ')}\n`; });
    const spy2 = vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => { stderr += String(c); return true; });
    try {
      await expect(main(['discover', '--config', dir, ...args, '10.9.0.0/30'])).resolves.toBe(2);
    } finally { spy.mockRestore(); spy2.mockRestore(); }
    expect(stderr).toMatch(message);
  });
});
