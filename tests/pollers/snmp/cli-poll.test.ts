import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { sampleFromJson, type Sample } from '../../../src/core/sample.js';
import { repoRoot } from '../../../src/lab/paths.js';
import { startSnmpsim, type SnmpsimInstance } from '../../../src/lab/snmpsim.js';
import { createSnmpPoller } from '../../../src/pollers/snmp/index.js';
import { tempDir } from '../../helpers/tmp.js';

/**
 * `noctua poll` end to end, vendor profiles no shared recording exercises, and a 1,320-interface chassis,
 * against snmpsimd serving Noctua's own recordings (tests/fixtures/snmp) plus a chassis recording generated here.
 */

const tmp = tempDir('noctua-poll-cli-');
let sim: SnmpsimInstance;
const CHASSIS_PORTS = 1320;

/** A big chassis: ifTable + ifXTable for 1,320 ports, in OID order as snmpsim wants it. */
function chassisRecording(): string {
  const lines = [
    '1.3.6.1.2.1.1.1.0|4|Noctua generated chassis with many ports',
    '1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.2636.1.1.1.2.21',
    '1.3.6.1.2.1.1.3.0|67|123456789',
    '1.3.6.1.2.1.1.5.0|4|big-chassis',
  ];
  const idx = Array.from({ length: CHASSIS_PORTS }, (_, i) => i + 1);
  const col = (oid: string, f: (i: number) => string) => { for (const i of idx) lines.push(`${oid}.${i}|${f(i)}`); };
  const IF = '1.3.6.1.2.1.2.2.1', IFX = '1.3.6.1.2.1.31.1.1.1';
  col(`${IF}.2`, (i) => `4|xe-${Math.floor(i / 48)}/0/${i % 48}`);
  col(`${IF}.5`, () => '66|4294967295');
  col(`${IF}.7`, () => '2|1');
  col(`${IF}.8`, (i) => `2|${i % 3 === 0 ? 2 : 1}`);
  // Real chassis keep the 32-bit twins of the HC counters in ifTable too.
  for (const c of [10, 11, 13, 14, 16, 17, 19, 20]) col(`${IF}.${c}`, (i) => `65|${i}`);
  col(`${IFX}.1`, (i) => `4|xe-${Math.floor(i / 48)}/0/${i % 48}`);
  for (const c of [6, 7, 8, 9, 10, 11, 12, 13]) col(`${IFX}.${c}`, (i) => `70|${i * 1000 + c}`);
  col(`${IFX}.15`, () => '66|10000');
  col(`${IFX}.18`, (i) => `4|customer circuit ${i}`);
  return lines.join('\n') + '\n';
}

beforeAll(async () => {
  // snmpsimd drops to nobody when started as root: the recordings must be readable by everyone.
  chmodSync(tmp.dir, 0o755);
  const data = join(tmp.dir, 'data');
  mkdirSync(data, { recursive: true, mode: 0o755 });
  const own = join(repoRoot, 'tests/fixtures/snmp');
  for (const f of readdirSync(own).filter((x) => x.endsWith('.snmprec'))) copyFileSync(join(own, f), join(data, f));
  writeFileSync(join(data, 'big-chassis.snmprec'), chassisRecording());
  sim = await startSnmpsim({ dataDir: data, workDir: tmp.dir, probeCommunity: 'rates-switch' });
}, 90_000);

afterAll(async () => {
  await sim?.stop();
  tmp.cleanup();
});

/** Runs `noctua ...` in this process, capturing what it prints. */
async function noctua(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const w = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => { out += String(chunk); return true; });
  const l = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => { out += a.join(' ') + '\n'; });
  const e = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => { err += a.join(' ') + '\n'; });
  try {
    return { code: await main(argv), out, err };
  } finally {
    w.mockRestore(); l.mockRestore(); e.mockRestore();
  }
}
const lines = (out: string): Sample[] => out.split('\n').filter((x) => x.trim().startsWith('{')).map(sampleFromJson);

describe('noctua poll', () => {
  it('--json prints one sample per line in the schema shape', async () => {
    const r = await noctua('poll', '127.0.0.1', '--port', String(sim.port), '--community', 'rates-switch', '--json');
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    const samples = lines(r.out);
    const sys = samples.find((s) => s.measurement === 'system')!;
    expect(sys.tags).toMatchObject({ device: '127.0.0.1', vendor: 'unknown' });
    expect(sys.fields).toMatchObject({ sysName: 'rates-sw', sysObjectID: '1.3.6.1.4.1.99999.1.1' });
    const ge = samples.find((s) => s.measurement === 'interface' && s.tags.ifIndex === '1')!;
    expect(ge.tags).toMatchObject({ ifName: 'GE0/0/1', ifAlias: 'uplink to core' });
    expect(ge.fields).toMatchObject({ oper_up: true, speed_bps: 1_000_000_000 });
    expect(r.out).toMatch(/"time":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"}/);
  });

  it('with --cycles 2 rates appear from the second cycle and match the recorded rates', async () => {
    const r = await noctua('poll', '127.0.0.1', '--port', String(sim.port), '--community', 'rates-switch', '--json', '--cycles', '2', '--interval', '2s');
    expect(r.code).toBe(0);
    const ifs = lines(r.out).filter((s) => s.measurement === 'interface');
    expect(ifs).toHaveLength(4);
    const [first, second] = [ifs.filter((s) => s.tags.ifIndex === '1'), ifs.filter((s) => s.tags.ifIndex === '2')];
    expect(first[0]!.fields.in_bps).toBeUndefined();
    const ge = first[1]!.fields;
    // 12,500,000 octets/s = 100 Mb/s; snmpsim computes values at query time, so allow for timing slack.
    expect(ge.in_bps as number).toBeGreaterThan(80e6);
    expect(ge.in_bps as number).toBeLessThan(120e6);
    expect(ge.out_bps as number).toBeGreaterThan(16e6);
    expect(ge.out_bps as number).toBeLessThan(24e6);
    expect(ge.in_util_pct as number).toBeGreaterThan(8);
    expect(ge.in_util_pct as number).toBeLessThan(12);
    expect(ge.in_errors_ps as number).toBeGreaterThan(1);
    expect(ge.in_errors_ps as number).toBeLessThan(3);
    // Port 2 has 32-bit counters that start just below 2^32: 1 Mb/s whether or not they wrapped in between.
    const fe = second[1]!.fields;
    expect(fe.in_bps as number).toBeGreaterThan(0.8e6);
    expect(fe.in_bps as number).toBeLessThan(1.2e6);
  }, 30_000);

  it('prints a readable table without --json', async () => {
    const r = await noctua('poll', '127.0.0.1', '--port', String(sim.port), '--community', 'rates-switch');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^rates-sw\s+vendor unknown/m);
    expect(r.out).toMatch(/^interface \(2\)$/m);
    expect(r.out).toMatch(/^1\s+GE0\/0\/1\s+up\s+up\s+1\.0 Gb\/s/m);
  });

  it('exits 1 with the reason on stderr when the device does not answer', async () => {
    const r = await noctua('poll', '127.0.0.1', '--port', String(sim.port), '--community', 'no-such-device', '--timeout', '200', '--retries', '0');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/noctua poll: 127\.0\.0\.1 \(127\.0\.0\.1:\d+\): timeout: no answer .* within 200 ms x 1 try/);
  });

  it.each([
    [['poll'], /expected a device name or address/],
    [['poll', '127.0.0.1', '--port', '70000'], /--port: expected a number from 1 to 65535, got 70000/],
    [['poll', '127.0.0.1', '--version', '4'], /--version: expected 1, 2c or 3, got "4"/],
    [['poll', '127.0.0.1', '--interval', 'soon'], /--interval: expected a duration/],
    [['poll', '127.0.0.1', '--version', '3'], /--user: required for SNMP v3/],
    [['poll', '127.0.0.1', '--auth-protocol', 'sha999'], /--auth-protocol: expected one of md5, sha/],
    [['poll', '127.0.0.1', '--bogus'], /Unknown option '--bogus'/],
    [['poll', 'not an address!'], /expected a device name from devices\.yaml or an IP address/],
    [['poll', '127.0.0.1', '--config', '/nonexistent-dir'], /--config: no devices\.yaml in \/nonexistent-dir/],
  ])('bad input %j is a usage error naming the flag', async (argv, msg) => {
    const r = await noctua(...argv);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(msg);
    expect(r.err).toMatch(/Usage|noctua poll <device-name/);
  });

  it('polls a device by its inventory name from --config, with its settings', async () => {
    const cfg = join(tmp.dir, 'config');
    mkdirSync(cfg, { recursive: true });
    writeFileSync(join(cfg, 'devices.yaml'), [
      'devices:',
      '  - name: lab-rates',
      '    address: 127.0.0.1',
      '    class: switch',
      `    snmp: { community: rates-switch, port: ${sim.port}, timeoutMs: 2000 }`,
      '',
    ].join('\n'));
    const r = await noctua('poll', 'lab-rates', '--config', cfg, '--json');
    expect(r.code).toBe(0);
    const sys = lines(r.out).find((s) => s.measurement === 'system')!;
    expect(sys.tags).toMatchObject({ device: 'lab-rates', class: 'switch', site: 'default' });
  });

  it('the installed binary runs the same command (npx noctua poll)', () => {
    const r = spawnSync(process.execPath, [join(repoRoot, 'bin/noctua.js'), 'poll', '127.0.0.1', '--port', String(sim.port), '--community', 'rates-switch', '--json'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(0);
    expect(lines(r.stdout).some((s) => s.measurement === 'snmp_poll' && s.fields.ok === true)).toBe(true);
  }, 60_000);
});

describe('a chassis with 1,320 interfaces', () => {
  it('polls in one cycle without tooBig or timeouts, every port present with 64-bit counters', async () => {
    const poller = createSnmpPoller();
    try {
      const dev = {
        name: 'big-chassis', address: '127.0.0.1', class: 'router' as const, site: 'lab', tags: [], enabled: true, icmp: false as const,
        snmp: { version: '2c' as const, community: 'big-chassis', port: sim.port, timeoutMs: 5000, retries: 1, maxRepetitions: 50 },
        intervals: { icmp: 30_000, snmp: 60_000, inventory: 3_600_000 },
      };
      const r = await poller.poll(dev, AbortSignal.timeout(60_000));
      expect(r.errors).toEqual([]);
      const ifs = r.samples.filter((s) => s.measurement === 'interface');
      expect(ifs).toHaveLength(CHASSIS_PORTS);
      expect(new Set(ifs.map((s) => s.tags.ifIndex)).size).toBe(CHASSIS_PORTS);
      expect(ifs.every((s) => typeof s.fields.in_octets === 'bigint')).toBe(true);
      expect(ifs.find((s) => s.tags.ifIndex === '1320')!.fields).toMatchObject({ in_octets: 1_320_006n, speed_bps: 10_000_000_000n });
      const poll = r.samples.find((s) => s.measurement === 'snmp_poll')!;
      expect(poll.fields).toMatchObject({ ok: true, error_kind: '' });
      // The second poll skips the 32-bit twins of the HC counters: fewer varbinds for the same data.
      const r2 = await poller.poll(dev, AbortSignal.timeout(60_000));
      expect(r2.samples.filter((s) => s.measurement === 'interface')).toHaveLength(CHASSIS_PORTS);
      const vb1 = poll.fields.varbinds as bigint;
      const vb2 = r2.samples.find((s) => s.measurement === 'snmp_poll')!.fields.varbinds as bigint;
      expect(vb2).toBeLessThan(vb1);
    } finally {
      await poller.close();
    }
  }, 90_000);
});

describe('vendor profiles on Noctua\'s own recordings', () => {
  const pollOnce = async (community: string) => {
    const poller = createSnmpPoller();
    try {
      return await poller.poll({
        name: community, address: '127.0.0.1', class: 'other', site: 'lab', tags: [], enabled: true, icmp: false,
        snmp: { version: '2c', community, port: sim.port, timeoutMs: 3000, retries: 1, maxRepetitions: 25 },
        intervals: { icmp: 30_000, snmp: 60_000, inventory: 3_600_000 },
      }, AbortSignal.timeout(30_000));
    } finally { await poller.close(); }
  };
  const one = (samples: Sample[], m: string, tags: Record<string, string> = {}) =>
    samples.find((s) => s.measurement === m && Object.entries(tags).every(([k, v]) => s.tags[k] === v));

  it('FortiGate: identity, CPU total and per processor, memory, disk, sessions', async () => {
    const r = await pollOnce('fortigate-100f');
    expect(r.errors).toEqual([]);
    expect(one(r.samples, 'system')!.fields).toMatchObject({ vendor: 'fortinet', os: 'FortiOS', version: 'v6.4.9,build1966,220419 (GA)', serial: 'FG100F3G19000000' });
    expect(one(r.samples, 'cpu', { cpu: 'all' })!.fields.load_pct).toBe(17);
    expect(one(r.samples, 'cpu', { cpu: '2' })!.fields.load_pct).toBe(14);
    expect(one(r.samples, 'memory', { pool: 'physical' })!.fields).toMatchObject({ used_pct: 45, total_bytes: 2003764 * 1024 });
    expect(one(r.samples, 'storage', { mount: 'disk' })!.fields).toMatchObject({ used_bytes: 1200 * 1048576, total_bytes: 15000 * 1048576, used_pct: 8 });
    expect(one(r.samples, 'firewall')!.fields).toMatchObject({ sessions: 35210, sessions_rate_1m: 120 });
    expect(one(r.samples, 'interface', { ifName: 'wan1' })!.fields.in_octets).toBe(123456789012n);
  });

  it('APC Smart-UPS without UPS-MIB: battery, runtime, input and output from PowerNet', async () => {
    const r = await pollOnce('apc-smart-ups');
    expect(r.errors).toEqual([]);
    expect(one(r.samples, 'system')!.fields).toMatchObject({ vendor: 'apc', model: 'Smart-UPS 3000 XL', serial: 'AS1234567890', version: 'v6.8.2' });
    expect(one(r.samples, 'ups')!.fields).toEqual({
      battery_status: 'normal', charge_pct: 97, battery_temp_c: 27, runtime_min: 42, replace_battery: false,
      input_v: 229, input_hz: 50, output_v: 230, output_hz: 50, load_pct: 34, on_battery: false,
    });
  });
});
