import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigInvalidError } from '../../../src/config/yaml-source.js';
import { evaluateMetrics, mergeSamples } from '../../../src/pollers/snmp/metrics.js';
import { BUILTIN_PROFILE_DIR, chooseProfile, loadProfiles, profileSchema, type Profile } from '../../../src/pollers/snmp/profile.js';
import type { ColumnValues, SnmpValue } from '../../../src/pollers/snmp/session.js';
import { tempDir } from '../../helpers/tmp.js';

const tmp = tempDir('noctua-profiles-');
afterAll(() => tmp.cleanup());

function dirWith(name: string, files: Record<string, string>): string {
  const d = join(tmp.dir, name);
  mkdirSync(d, { recursive: true });
  for (const [f, text] of Object.entries(files)) writeFileSync(join(d, f), text);
  return d;
}

describe('profile loading', () => {
  it('the built-in profiles load and cover every vendor of the shared recordings', () => {
    const profiles = loadProfiles();
    const vendors = new Set(profiles.map((p) => p.vendor));
    for (const v of ['huawei', 'h3c', 'ruijie', 'maipu', 'cisco', 'juniper', 'fortinet', 'paloalto', 'apc', 'eaton', 'emerson', 'topsec', 'sangfor', 'd-link', 'clavister', 'netapp', 'aruba', 'vyatta', 'ibm', 'microsoft', 'linux']) {
      expect(vendors.has(v), v).toBe(true);
    }
    expect(profiles.filter((p) => p.kind === 'generic').map((p) => p.name).sort()).toEqual(['bgp4', 'bridge', 'entity-sensor', 'host-resources', 'lldp', 'ucd-snmp', 'ups-mib']);
  });

  it('reports every mistake in a profile with file:line:col and what was expected', () => {
    const dir = dirWith('bad', {
      'broken.yaml': [
        'name: broken',
        'vendor: acme',
        'match:',
        '  - sysObjectID: 1.3.6.1.4.1.x',
        'metrics:',
        '  - measurement: cpu',
        '    fields:',
        '      load_pct: { column: 1.3.6.1.4.1.1.1, scael: 2 }',
        '  - measurement: gpu',
        '    fields: {}',
        '',
      ].join('\n'),
      'novendor.yaml': 'name: novendor\nmatch:\n  - sysObjectID: 1.3.6.1.4.1.5\n',
    });
    let err: ConfigInvalidError | undefined;
    try { loadProfiles([dir]); } catch (e) { err = e as ConfigInvalidError; }
    expect(err).toBeInstanceOf(ConfigInvalidError);
    const text = err!.message;
    expect(text).toMatch(/broken\.yaml:4:18 match\[0\]\.sysObjectID: expected a numeric OID/);
    expect(text).toMatch(/broken\.yaml:8:44 metrics\[0\]\.fields\.load_pct\.scael: unknown key "scael"/);
    expect(text).toMatch(/broken\.yaml:9:18 metrics\[1\]\.measurement: expected cpu, memory/);
    expect(text).toMatch(/novendor\.yaml:\d+:\d+ vendor: required for a vendor profile/);
  });

  it('a YAML syntax error points at its line', () => {
    const dir = dirWith('syntax', { 'x.yaml': 'name: x\nmatch: [\n' });
    expect(() => loadProfiles([dir])).toThrow(/x\.yaml:\d+:\d+ YAML syntax error/);
  });

  it('a user profile adds a vendor without code, and may replace a built-in one by name', () => {
    const dir = dirWith('user', {
      'acme.yaml': [
        'name: acme', 'vendor: acme', 'match:', '  - sysObjectID: 1.3.6.1.4.1.424242',
        'metrics:', '  - measurement: firewall', '    single: true', '    fields:', '      sessions: { oid: 1.3.6.1.4.1.424242.1.0 }', '',
      ].join('\n'),
      'cisco.yaml': 'name: cisco\nvendor: cisco-custom\nmatch:\n  - sysObjectID: 1.3.6.1.4.1.9\n',
    });
    const profiles = loadProfiles([BUILTIN_PROFILE_DIR, dir]);
    expect(chooseProfile(profiles, '1.3.6.1.4.1.424242.7', 'Acme box')!.vendor).toBe('acme');
    expect(chooseProfile(profiles, '1.3.6.1.4.1.9.1.617', 'Cisco IOS')!.vendor).toBe('cisco-custom');
  });
});

describe('profile matching', () => {
  const profiles = loadProfiles();
  it('picks the longest sysObjectID prefix (H3C under Huawei 2011.10 is H3C)', () => {
    expect(chooseProfile(profiles, '1.3.6.1.4.1.2011.10.1.88', '')!.vendor).toBe('h3c');
    expect(chooseProfile(profiles, '1.3.6.1.4.1.2011.2.23.276', '')!.vendor).toBe('huawei');
  });
  it('splits the shared net-snmp sysObjectID by the vendor subtree the agent has, then by sysDescr', () => {
    const netsnmp = '1.3.6.1.4.1.8072.3.2.10';
    expect(chooseProfile(profiles, netsnmp, 'Linux box 2.6', (o) => o === '1.3.6.1.4.1.2011')!.vendor).toBe('huawei');
    expect(chooseProfile(profiles, netsnmp, 'Linux imm 2.6', (o) => o === '1.3.6.1.4.1.2.3.51.3')!.vendor).toBe('ibm');
    expect(chooseProfile(profiles, netsnmp, 'Linux host 5.10', () => false)!.vendor).toBe('linux');
    expect(chooseProfile(profiles, '1.3.6.1.4.1.99999.1', 'Mystery')).toBeUndefined();
  });
  it('does not match an OID that merely shares leading digits (1.3.6.1.4.1.90 is not Cisco)', () => {
    expect(chooseProfile(profiles, '1.3.6.1.4.1.90.1', '')).toBeUndefined();
  });
});

const m = (doc: unknown): Profile['metrics'] => profileSchema.parse({ name: 't', kind: 'generic', metrics: doc }).metrics;
const cols = (o: Record<string, Record<string, SnmpValue>>): ColumnValues => new Map(Object.entries(o).map(([k, v]) => [k, new Map(Object.entries(v))]));

describe('metric evaluation', () => {
  it('applies ENTITY-SENSOR scale and precision and names sensors after entPhysicalName', () => {
    const profiles = loadProfiles();
    const sensor = profiles.find((p) => p.name === 'entity-sensor')!.metrics;
    const S = '1.3.6.1.2.1.99.1.1.1';
    const out = evaluateMetrics(sensor, cols({
      [`${S}.1`]: { 10: 4, 11: 8, 12: 10 },          // voltsDC, celsius, rpm
      [`${S}.2`]: { 10: 8, 11: 9, 12: 9 },           // milli, units, units
      [`${S}.3`]: { 10: 1, 11: 0, 12: 0 },
      [`${S}.4`]: { 10: 120_345, 11: 41, 12: 5400 },
      [`${S}.5`]: { 10: 1, 11: 3, 12: 1 },
      '1.3.6.1.2.1.47.1.1.1.1.7': { 10: Buffer.from('PSU 1 12V'), 11: Buffer.from('CPU temp') },
    }), new Map());
    expect(out).toContainEqual({ measurement: 'sensor', tags: { kind: 'voltage', name: 'PSU 1 12V' }, fields: { value: 12.0345, status: 'ok', ok: true } });
    expect(out).toContainEqual({ measurement: 'sensor', tags: { kind: 'temperature', name: 'CPU temp' }, fields: { value: 41, status: 'critical', ok: false } });
    expect(out).toContainEqual({ measurement: 'sensor', tags: { kind: 'fan', name: 'sensor 12' }, fields: { value: 5400, status: 'ok', ok: true } });
  });

  it('aggregates rows into one sample, fits tenths-of-a-volt values and drops out-of-range sentinels', () => {
    const out = evaluateMetrics(m([{
      measurement: 'ups', single: true,
      fields: {
        load_pct: { column: '1.1.1', aggregate: 'max' },
        output_v: { column: '1.1.2', aggregate: 'avg', fit: 1000 },
        charge_pct: { oid: '1.2.0', min: 0, max: 100 },
        alarms: { oid: '1.3.0', type: 'integer' },
      },
    }]), cols({ '1.1.1': { 1: 21, 2: 16, 3: 12 }, '1.1.2': { 1: 2199, 2: 2201, 3: 2200 } }), new Map<string, SnmpValue>([['1.2.0', -1], ['1.3.0', 2]]));
    expect(out).toEqual([{ measurement: 'ups', tags: {}, fields: { load_pct: 21, output_v: 220, alarms: 2n } }]);
  });

  it('derives used bytes and percentage from free helpers, combines 64-bit halves, follows via-columns for names', () => {
    const out = evaluateMetrics(m([
      { measurement: 'memory', tags: { pool: { column: '2.2' } }, fields: { total_bytes: { column: '2.5', scale: 1024 }, _free_a: { column: '2.6', scale: 1024 }, _free_b: { column: '2.7', scale: 1024 } } },
      { measurement: 'storage', tags: { mount: { column: '3.2' } }, fields: { total_bytes: { column: '3.15', wordHigh: '3.14', scale: 1024 }, used_bytes: { column: '3.17', wordHigh: '3.16', scale: 1024 } } },
      { measurement: 'cpu', tags: { cpu: [{ column: '9.7', via: '4.2' }, { index: true }] }, fields: { load_pct: { column: '4.5' } } },
    ]), cols({
      '2.2': { 1: Buffer.from('physical') }, '2.5': { 1: 1000 }, '2.6': { 1: 200 }, '2.7': { 1: 50 },
      '3.2': { 1: Buffer.from('aggr0') }, '3.14': { 1: 3 }, '3.15': { 1: -230633264 }, '3.16': { 1: 2 }, '3.17': { 1: 1874304784 },
      '4.2': { 1: 22, 2: 0 }, '4.5': { 1: 5, 2: 7 }, '9.7': { 22: Buffer.from('Route Processor') },
    }), new Map());
    const mem = out.find((s) => s.measurement === 'memory')!;
    expect(mem.fields).toEqual({ total_bytes: 1_024_000, used_bytes: 768_000, used_pct: 75 });
    const st = out.find((s) => s.measurement === 'storage')!;
    expect(st.fields.total_bytes).toBe((3 * 2 ** 32 + (2 ** 32 - 230633264)) * 1024);
    expect(st.fields.used_bytes).toBe((2 * 2 ** 32 + 1874304784) * 1024);
    expect(out.filter((s) => s.measurement === 'cpu').map((s) => s.tags.cpu)).toEqual(['Route Processor', '2']);
  });

  it('a vendor value replaces the generic one for the same instance', () => {
    const merged = mergeSamples([
      { measurement: 'ups', tags: {}, fields: { charge_pct: 90, input_v: 230 } },
      { measurement: 'ups', tags: {}, fields: { charge_pct: 91 } },
    ]);
    expect(merged).toEqual([{ measurement: 'ups', tags: {}, fields: { charge_pct: 91, input_v: 230 } }]);
  });
});
