import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/loader.js';
import { clusterRoles } from '../../src/config/sections/cluster.js';
import { ConfigInvalidError, formatConfigError } from '../../src/config/yaml-source.js';
import { deviceGroup, devicesOfGroup } from '../../src/cluster/groups.js';
import { tempDir } from '../helpers/tmp.js';

const tmp = tempDir('noctua-cluster-config-');
afterAll(() => tmp.cleanup());

const DEVICES = `sites:
  - { name: bj1 }
  - { name: sh2 }
devices:
  - { name: sw-bj-1, address: 127.0.0.1, class: switch, site: bj1, snmp: false }
  - { name: sw-sh-1, address: 127.0.0.2, class: switch, site: sh2, snmp: false }
  - { name: sw-other, address: 127.0.0.3, class: switch, snmp: false }
`;

function load(noctua: string) {
  writeFileSync(join(tmp.dir, 'devices.yaml'), DEVICES);
  writeFileSync(join(tmp.dir, 'noctua.yaml'), noctua);
  return loadConfig(tmp.dir);
}

function errorsOf(noctua: string): string[] {
  try { load(noctua); } catch (err) { if (err instanceof ConfigInvalidError) return err.errors.map(formatConfigError); throw err; }
  return [];
}

describe('cluster: in noctua.yaml', () => {
  it('is standalone when absent, so a single process behaves as before', () => {
    const cfg = load('stateDir: /tmp/x\n');
    expect(cfg.settings.cluster.role).toBe('standalone');
    // One core consuming everything, as before split consume existed.
    expect(cfg.settings.cluster.consume).toBe('single');
    expect(clusterRoles(cfg.settings.cluster).size).toBe(0);
  });

  it('takes a list of roles, durations, groups of sites', () => {
    const cfg = load(`cluster:
  role: [poller, core]
  group: beijing
  groups: { beijing: [bj1] }
  redis: { url: "redis://10.0.0.5:6379/0" }
  heartbeat: 2s
  leaderLease: 10s
`);
    expect([...clusterRoles(cfg.settings.cluster)].sort()).toEqual(['core', 'poller']);
    expect(cfg.settings.cluster).toMatchObject({ group: 'beijing', heartbeat: 2000, leaderLease: 10_000, redis: { url: 'redis://10.0.0.5:6379/0', keyPrefix: 'noctua' } });
    expect(devicesOfGroup(cfg.devices, cfg.settings.cluster).map((d) => d.name)).toEqual(['sw-bj-1']);
    expect(deviceGroup({ site: 'sh2' }, cfg.settings.cluster)).toBe('default');
  });

  it('reports every mistake with file:line:col and the field path', () => {
    const text = `stateDir: /tmp/x
cluster:
  role: [poller, archiver]
  group: "bei jing"
  redis: { url: "http://127.0.0.1:6379" }
  heartbeat: 5 seconds
  replicas: 2
  consume: parallel
  claimIdle: 200ms
`;
    const errs = errorsOf(text);
    const file = join(tmp.dir, 'noctua.yaml');
    expect(errs).toEqual(expect.arrayContaining([
      expect.stringMatching(new RegExp(`^${file}:3:\\d+ cluster\\.role`)),
      expect.stringMatching(new RegExp(`^${file}:4:\\d+ cluster\\.group: expected letters`)),
      expect.stringMatching(new RegExp(`^${file}:5:\\d+ cluster\\.redis\\.url: expected a redis:// or rediss:// URL`)),
      expect.stringMatching(new RegExp(`^${file}:6:\\d+ cluster\\.heartbeat: expected a duration`)),
      expect.stringMatching(new RegExp(`^${file}:7:\\d+ cluster.*replicas`)),
      expect.stringMatching(new RegExp(`^${file}:8:\\d+ cluster\\.consume: expected single or split`)),
      expect.stringMatching(new RegExp(`^${file}:9:\\d+ cluster\\.claimIdle: expected at least 1s`)),
    ]));
  });
});
