import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Device } from '../../../src/config/inventory-schema.js';
import type { Sample } from '../../../src/core/sample.js';
import { fixturesDir } from '../../../src/lab/paths.js';
import { readFixtures, type FixtureFacts } from '../../../src/lab/inventory.js';
import { createInventoryPoller, createSnmpPoller, loadProfiles, type SnmpPoller } from '../../../src/pollers/snmp/index.js';
import { realSnmpsim } from '../../helpers/real-parts.js';

/**
 * Every shared recording, served by a real snmpsimd, polled by the real poller and checked against
 * the facts in expected/<name>.json (read from the recording, not from Noctua).
 */

type Sim = Awaited<ReturnType<typeof realSnmpsim>>;
let sim: Sim;
let poller: SnmpPoller;
let inventory: SnmpPoller;
const results = new Map<string, { samples: Sample[]; system: Sample; reachable: boolean }>();
const profiles = loadProfiles();

function deviceFor(name: string, port: number): Device {
  return {
    name, address: '127.0.0.1', class: 'other', site: 'lab', tags: [], enabled: true, icmp: false,
    snmp: { version: '2c', community: name, port, timeoutMs: 4000, retries: 1, maxRepetitions: 25 },
    intervals: { icmp: 30_000, snmp: 60_000, inventory: 3_600_000 },
  };
}

/** OIDs present in a recording, for "the recording has this table" checks. */
function recordedOids(name: string): string[] {
  return readFileSync(join(fixturesDir(), 'snmprec', `${name}.snmprec`), 'utf8').split('\n').map((l) => l.split('|')[0]!).filter(Boolean);
}

beforeAll(async () => {
  sim = await realSnmpsim();
  poller = createSnmpPoller();
  inventory = createInventoryPoller();
  // Poll all recordings concurrently, as the scheduler would: one session per device.
  await Promise.all(sim.fixtures.map(async (f) => {
    const dev = deviceFor(f.community, sim.port);
    const r = await poller.poll(dev, AbortSignal.timeout(60_000));
    const inv = await inventory.poll(dev, AbortSignal.timeout(60_000));
    results.set(f.community, { samples: r.samples, system: inv.samples.find((s) => s.measurement === 'system')!, reachable: r.reachable });
  }));
}, 120_000);

afterAll(async () => {
  await poller?.close();
  await inventory?.close();
  await sim?.cleanup();
});

/** The recordings and their facts, read at collection time so that each gets its own test case. */
const facts: FixtureFacts[] = readFixtures(fixturesDir());

describe('every shared recording polled through snmpsimd', () => {
  it('covers all recordings', () => {
    expect(facts.length).toBeGreaterThanOrEqual(22);
    expect(results.size).toBe(sim.fixtures.length);
  });

  describe.each(facts.map((f) => [f.community, f] as const))('%s', (name, f) => {
    const get = () => results.get(name)!;
    const of = (m: string) => get().samples.filter((s) => s.measurement === m);

    it('polls without error and identifies vendor and sysName', () => {
      const poll = of('snmp_poll')[0]!;
      expect(poll.fields.error).toBe('');
      expect(poll.fields.ok).toBe(true);
      expect(typeof poll.fields.varbinds).toBe('bigint');
      expect(get().reachable).toBe(true);
      const sys = of('system')[0]!;
      expect(sys.tags.vendor).toBe(f.vendor);
      expect(sys.fields.sysName).toBe(f.sysName);
      expect(sys.fields.sysObjectID).toBe(f.sysObjectID);
      expect(sys.fields.vendor).toBe(f.vendor);
      expect(get().system.tags.vendor).toBe(f.vendor);
      for (const s of get().samples) expect(s.tags.vendor).toBe(f.vendor);
      // Some recordings let sysUpTime run (snmpsim's numeric module): the poll sees it a few seconds on.
      if (f.sysUpTime_ticks) {
        expect(sys.fields.uptime_s as number).toBeGreaterThanOrEqual(f.sysUpTime_ticks / 100 - 1);
        expect(sys.fields.uptime_s as number).toBeLessThan(f.sysUpTime_ticks / 100 + 600);
      }
      if (sys.fields.uptime_s !== undefined) expect(typeof sys.fields.uptime_s).toBe('number');
    });

    it('yields one interface sample per ifTable row, with its ifName, and no others', () => {
      const ifs = of('interface');
      expect(ifs.map((s) => s.tags.ifIndex).sort()).toEqual([...f.interfaces.ifIndex].sort());
      for (const s of ifs) {
        const want = f.interfaces.ifName[s.tags.ifIndex!];
        if (want !== undefined) expect(s.tags.ifName).toBe(want);
        else expect(s.tags.ifName).toBe(s.tags.ifDescr || `if${s.tags.ifIndex}`);
        if (s.fields.in_octets !== undefined) expect(typeof s.fields.in_octets).toBe('bigint');
        if (s.fields.oper_up !== undefined) expect(typeof s.fields.oper_up).toBe('boolean');
        if (s.fields.speed_bps !== undefined) expect(typeof s.fields.speed_bps).toBe('bigint');
      }
      const hc = ifs.filter((s) => typeof s.fields.in_octets === 'bigint' && (s.fields.in_octets as bigint) > 0n).length;
      expect(hc).toBeLessThanOrEqual(f.interfaces.count);
    });

    it('has a cpu sample for every hrProcessorLoad row with its value', () => {
      const cpus = of('cpu');
      for (const [idx, load] of Object.entries(f.hrProcessorLoad)) {
        const s = cpus.find((c) => c.tags.cpu === idx);
        expect(s, `cpu ${idx}`).toBeDefined();
        expect(s!.fields.load_pct).toBe(load);
      }
      for (const c of cpus) if (c.fields.load_pct !== undefined) expect(c.fields.load_pct as number).toBeGreaterThanOrEqual(0);
    });

    it('reads the vendor tables the recording has (cpu, memory, sensors, firewall, pdu)', () => {
      const sys = of('system')[0]!;
      const profile = profiles.find((p) => p.kind === 'vendor' && p.vendor === sys.tags.vendor);
      const oids = recordedOids(name);
      const has = (oid: string) => oids.some((o) => o.startsWith(oid + '.'));
      for (const m of profile?.metrics ?? []) {
        const valueOids = Object.entries(m.fields).filter(([k]) => !k.startsWith('_')).map(([, fs]) => fs.column ?? fs.oid!);
        const present = valueOids.some((o) => has(o) || oids.includes(o));
        if (!present || m.filter.length > 0) continue;
        expect(of(m.measurement).length, `${m.measurement} from ${m.description ?? 'profile'}`).toBeGreaterThan(0);
      }
    });

    it('has memory or storage samples where the recording has hrStorage, sensors where it has ENTITY-SENSOR', () => {
      if (f.hrStorage_rows > 0) expect(of('memory').length + of('storage').length).toBeGreaterThan(0);
      for (const s of [...of('memory'), ...of('storage')]) {
        if (typeof s.fields.used_pct === 'number') {
          expect(s.fields.used_pct).toBeGreaterThanOrEqual(0);
          expect(s.fields.used_pct).toBeLessThanOrEqual(100.0001);
        }
      }
      if (f.entSensor_rows > 0) {
        const sensors = of('sensor');
        expect(sensors.length).toBeGreaterThan(0);
        expect(sensors.length).toBeLessThanOrEqual(f.entSensor_rows);
      }
    });

    it('reports the recorded UPS battery and output values after scaling', () => {
      const ups = f.ups_mib as undefined | { battery_status: number; charge_pct: number; runtime_min: number; battery_temp_c: number; output_load_pct: number[] };
      if (!ups) return;
      const s = of('ups')[0]!;
      expect(s).toBeDefined();
      expect(s.fields.battery_status).toBe({ 1: 'unknown', 2: 'normal', 3: 'low', 4: 'depleted' }[ups.battery_status]);
      // -1 is the agent's "not available": such values are left out rather than stored as -1 %.
      if (ups.charge_pct >= 0) expect(s.fields.charge_pct).toBe(ups.charge_pct); else expect(s.fields.charge_pct).toBeUndefined();
      if (ups.runtime_min >= 0) expect(s.fields.runtime_min).toBe(ups.runtime_min); else expect(s.fields.runtime_min).toBeUndefined();
      expect(s.fields.battery_temp_c).toBe(ups.battery_temp_c);
      expect(s.fields.load_pct).toBe(Math.max(...ups.output_load_pct));
      const lines = of('ups_line').filter((l) => l.tags.direction === 'output').sort((a, b) => Number(a.tags.line) - Number(b.tags.line));
      expect(lines.map((l) => l.fields.load_pct)).toEqual(ups.output_load_pct);
      expect(typeof s.fields.on_battery).toBe('boolean');
      // Input and output voltages per line, as recorded (some agents send tenths of a volt: those are brought back to volts).
      const recorded = readFileSync(join(fixturesDir(), 'snmprec', `${name}.snmprec`), 'utf8').split('\n');
      const volts = (col: string) => recorded.filter((l) => l.startsWith(`${col}.`)).map((l) => { let v = Number(l.split('|')[2]); while (v > 1000) v /= 10; return v; });
      for (const [direction, col] of [['input', '1.3.6.1.2.1.33.1.3.3.1.3'], ['output', '1.3.6.1.2.1.33.1.4.4.1.2']] as const) {
        const want = volts(col);
        const got = of('ups_line').filter((l) => l.tags.direction === direction).sort((a, b) => Number(a.tags.line) - Number(b.tags.line)).map((l) => l.fields.voltage_v);
        expect(got, `${direction} volts`).toEqual(want);
      }
    });
  });
});
