import { mkdirSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/loader.js';
import { ConfigInvalidError, formatConfigError } from '../../src/config/yaml-source.js';
import { repoRoot } from '../../src/lab/paths.js';
import { tempDir } from '../helpers/tmp.js';

const tmp = tempDir('noctua-config-');
afterAll(() => tmp.cleanup());
let n = 0;

/** Writes a config dir with the given devices.yaml (and optional noctua.yaml) and returns every error line. */
function errorsFor(devices: string, noctua?: string, env: NodeJS.ProcessEnv = {}): string[] {
  const dir = join(tmp.dir, `c${n++}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'devices.yaml'), devices);
  if (noctua !== undefined) writeFileSync(join(dir, 'noctua.yaml'), noctua);
  try {
    loadConfig(dir, env);
  } catch (err) {
    if (!(err instanceof ConfigInvalidError)) throw err;
    return err.errors.map((e) => formatConfigError({ ...e, file: e.file.replace(/^.*\//, '') }));
  }
  return [];
}

const ok = `devices:
  - name: sw1
    address: 192.0.2.1
    class: switch
`;

describe('config loader', () => {
  it('accepts the shipped examples with their environment variables set', () => {
    const dir = join(tmp.dir, 'examples');
    mkdirSync(dir);
    copyFileSync(join(repoRoot, 'config', 'noctua.example.yaml'), join(dir, 'noctua.yaml'));
    copyFileSync(join(repoRoot, 'config', 'devices.example.yaml'), join(dir, 'devices.yaml'));
    const cfg = loadConfig(dir, { NOCTUA_SNMP_COMMUNITY: 'c0mmunity', NOCTUA_V3_AUTH: 'authpass1', NOCTUA_V3_PRIV: 'privpass1', NOCTUA_TRAP_COMMUNITY: 'trapc0mm' });
    expect(cfg.devices.map((d) => d.name)).toEqual(['core-rtr-01', 'core-sw-01', 'fw-01', 'ups-01', 'sh-access-01', 'sh-printer']);
    const fw = cfg.devices.find((d) => d.name === 'fw-01')!;
    expect(fw.snmp).toMatchObject({ version: '3', user: 'noctua', authProtocol: 'sha256', authKey: 'authpass1', privProtocol: 'aes', privKey: 'privpass1', community: 'c0mmunity' });
    expect(fw.tags).toEqual(['dc']);
    const sh = cfg.devices.find((d) => d.name === 'sh-access-01')!;
    expect(sh.icmp).toBe(false);
    expect(sh.snmp).toMatchObject({ timeoutMs: 4000, version: '2c' });
    expect(sh.intervals).toEqual({ icmp: 30_000, snmp: 120_000, inventory: 21_600_000 });
    expect(cfg.devices.find((d) => d.name === 'sh-printer')).toMatchObject({ snmp: false, enabled: false });
    expect(cfg.settings.timezone).toBe('Asia/Shanghai');
    expect(cfg.settings.influx.flushInterval).toBe(1000);
  });

  it('fills built-in defaults for a minimal inventory and no noctua.yaml', () => {
    expect(errorsFor(ok)).toEqual([]);
    const dir = join(tmp.dir, `c${n - 1}`);
    const cfg = loadConfig(dir, {});
    expect(cfg.devices[0]).toMatchObject({ site: 'default', enabled: true, snmp: { version: '2c', community: 'public', port: 161, timeoutMs: 2000, retries: 1, maxRepetitions: 25 } });
    expect(cfg.settings.influx.url).toBe('http://127.0.0.1:8086');
  });

  const cases: [string, string, string[], string?][] = [
    ['a wrong SNMP version', `devices:\n  - name: a\n    address: 10.0.0.1\n    class: switch\n    snmp:\n      version: v2\n`,
      ['devices.yaml:6:16 devices[0].snmp.version: expected 1, 2c or 3, got "v2"']],
    ['an unknown device class', `devices:\n  - name: a\n    address: 10.0.0.1\n    class: swich\n`,
      ['devices.yaml:4:12 devices[0].class: expected switch, router, firewall, server, storage, wireless, ups, pdu or other, got "swich"']],
    ['a misspelt key', `devices:\n  - name: a\n    address: 10.0.0.1\n    class: switch\n    comunity: x\n`,
      ['devices.yaml:5:5 devices[0].comunity: unknown key "comunity" (misspelt, or not an option here)']],
    ['a missing address', `devices:\n  - name: a\n    class: switch\n`,
      ['devices.yaml:2:5 devices[0].address: required (expected string)']],
    ['an address that is no IP or host name', `devices:\n  - name: a\n    address: "not an address!"\n    class: switch\n`,
      ['devices.yaml:3:14 devices[0].address: expected an IPv4 address, IPv6 address or host name, got "not an address!"']],
    ['a bad duration', `devices:\n  - name: a\n    address: 10.0.0.1\n    class: switch\n    intervals: { snmp: 5q }\n`,
      ['devices.yaml:5:24 devices[0].intervals.snmp: expected a duration such as "30s", "5m" or "6h", got "5q"']],
    ['a port out of range', `devices:\n  - name: a\n    address: 10.0.0.1\n    class: switch\n    snmp: { port: 70000 }\n`,
      ['devices.yaml:5:19 devices[0].snmp.port: expected a value <= 65535, got 70000']],
    ['duplicate device names', `${ok}  - name: sw1\n    address: 192.0.2.2\n    class: switch\n`,
      ['devices.yaml:5:11 devices[1].name: duplicate device name "sw1" (first defined at line 2)']],
    ['duplicate address and port', `${ok}  - name: sw2\n    address: 192.0.2.1\n    class: switch\n`,
      ['devices.yaml:6:14 devices[1].address: duplicate address and port 192.0.2.1:161 (also used by device "sw1")']],
    ['an unknown parent', `${ok}    parent: nowhere\n`,
      ['devices.yaml:5:13 devices[0].parent: unknown parent device "nowhere"']],
    ['a parent cycle', `devices:\n  - { name: a, address: 10.0.0.1, class: router, parent: b }\n  - { name: b, address: 10.0.0.2, class: router, parent: a }\n`,
      ['devices.yaml:2:58 devices[0].parent: parent cycle: a -> b -> a']],
    ['a YAML syntax error', `devices:\n  - name: a\n   address: x\n`,
      ['devices.yaml:3:1 YAML syntax error: Sequence item without - indicator']],
    ['an unknown site', `sites:\n  - name: hq\n${ok}    site: branch\n`,
      ['devices.yaml:7:11 devices[0].site: unknown site "branch" (expected one of: hq)']],
    ['SNMP v3 without its keys', `devices:\n  - name: a\n    address: 10.0.0.1\n    class: switch\n    snmp: { version: 3, user: u, securityLevel: authPriv }\n`,
      ['devices.yaml:5:11 devices[0].snmp.authProtocol: required for securityLevel authPriv (expected md5, sha, sha224, sha256, sha384, sha512)',
        'devices.yaml:5:11 devices[0].snmp.authKey: required for securityLevel authPriv',
        'devices.yaml:5:11 devices[0].snmp.privProtocol: required for securityLevel authPriv (expected des, aes, aes256b, aes256r)',
        'devices.yaml:5:11 devices[0].snmp.privKey: required for securityLevel authPriv']],
    ['a missing environment variable', `devices:\n  - name: a\n    address: 10.0.0.1\n    class: switch\n    snmp: { community: "\${SECRET_COMMUNITY}" }\n`,
      ['devices.yaml:5:24 devices[0].snmp.community: environment variable SECRET_COMMUNITY is not set (referenced as ${SECRET_COMMUNITY})']],
    ['a cluster group naming a site that does not exist', `sites:\n  - name: hq\n${ok}    site: hq\n`,
      ['noctua.yaml:1:36 cluster.groups.beijing[1]: unknown site "bj-idc" (expected one of the sites in devices.yaml: hq)'],
      'cluster: { groups: { beijing: [hq, bj-idc] } }\n'],
    ['bad settings in noctua.yaml', ok,
      ['noctua.yaml:1:11 timezone: expected an IANA time zone such as Asia/Shanghai or UTC, got "Mars/Olympus"',
        'noctua.yaml:2:9 locale: expected zh-CN or en, got "fr"',
        'noctua.yaml:3:16 influx.url: expected an http:// or https:// URL, got "ftp://x"'],
      'timezone: Mars/Olympus\nlocale: fr\ninflux: { url: ftp://x }\n'],
  ];

  for (const [what, devices, expected, noctua] of cases) {
    it(`rejects ${what} with file, line, column and field path`, () => {
      expect(errorsFor(devices, noctua)).toEqual(expected);
    });
  }

  it('reports every error in a file at once, in line order', () => {
    const errs = errorsFor(`devices:\n  - name: a\n    address: 10.0.0.1\n    class: swich\n  - name: b\n    address: 10.0.0.2\n    class: router\n    snmp: { version: 4 }\n`);
    expect(errs).toHaveLength(2);
    expect(errs[0]).toMatch(/^devices\.yaml:4:12 devices\[0\]\.class/);
    expect(errs[1]).toMatch(/^devices\.yaml:8:22 devices\[1\]\.snmp\.version: expected 1, 2c or 3, got "4"/);
  });

  it('reports a missing devices.yaml clearly', () => {
    const dir = join(tmp.dir, 'empty');
    mkdirSync(dir);
    expect(() => loadConfig(dir, {})).toThrow(/devices\.yaml:1:1 file not found/);
  });
});
