import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Device } from '../../../src/config/inventory-schema.js';
import type { Sample } from '../../../src/core/sample.js';
import { createInventoryPoller, type SnmpPoller } from '../../../src/pollers/snmp/index.js';
import { realSnmpsim } from '../../helpers/real-parts.js';
import { expectedArp, expectedFdb, expectedVlans } from './l2-expected.js';

/**
 * ARP, FDB and VLAN tables of the shared recordings that have them, served by a real snmpsimd and read by the
 * inventory poll, against rows decoded from the .snmprec lines themselves (tests/pollers/snmp/l2-expected.ts).
 */

/** Recordings with ARP, FDB or VLAN tables (grep of 1.3.6.1.2.1.4.35/4.22/17.4.3/17.7.1.2.2/17.7.1.4), and one without. */
const NAMES = [
  'cisco-c3560', 'cisco-unmarked-0', 'dlink-des3038', 'h3c-e528-2', 'huawei-s5720', 'juniper-mx960-12-3r6-6',
  'maipu-sm4200-16gef8ge-ac', 'ruijie-s5750-24gt12sfp', 'topsec-ngfw4000-uf', 'eaton-93e-80', 'vyatta-unknown', 'aruba-7010',
];
const CISCO = new Set(['cisco-c3560', 'cisco-unmarked-0']);

let sim: Awaited<ReturnType<typeof realSnmpsim>>;
let inventory: SnmpPoller;
let small: SnmpPoller;
const polled = new Map<string, Sample[]>();
let truncated: Sample[] = [];

function deviceFor(name: string, port: number): Device {
  return {
    name, address: '127.0.0.1', class: 'switch', site: 'lab', tags: [], enabled: true, icmp: false,
    snmp: { version: '2c', community: name, port, timeoutMs: 4000, retries: 1, maxRepetitions: 25 },
    intervals: { icmp: 30_000, snmp: 60_000, inventory: 3_600_000 },
  };
}

beforeAll(async () => {
  sim = await realSnmpsim();
  inventory = createInventoryPoller();
  small = createInventoryPoller({ l2Limits: { fdb: 10, arp: 5, vlan: 1 } });
  for (const n of NAMES) polled.set(n, (await inventory.poll(deviceFor(n, sim.port), AbortSignal.timeout(60_000))).samples);
  truncated = (await small.poll(deviceFor('ruijie-s5750-24gt12sfp', sim.port), AbortSignal.timeout(60_000))).samples;
}, 240_000);

afterAll(async () => {
  await inventory?.close();
  await small?.close();
  await sim?.cleanup();
});

const of = (name: string, m: string): Sample[] => polled.get(name)!.filter((s) => s.measurement === m);
const num = (v: unknown): number | undefined => (typeof v === 'bigint' ? Number(v) : undefined);
const byEntry = <T extends { entry: string }>(a: T, b: T): number => a.entry.localeCompare(b.entry);

describe('layer-2 tables of recorded devices, read by the inventory poll', () => {
  it.each(NAMES)('%s: every FDB row with its port and VLAN as recorded', (name) => {
    expect(polled.get(name)!.find((s) => s.measurement === 'snmp_poll')!.fields.ok).toBe(true);
    const got = of(name, 'fdb').map((s) => {
      const r: Record<string, unknown> = { entry: s.tags.entry, ifName: s.tags.ifName, mac: s.fields.mac, bridge_port: num(s.fields.bridge_port), status: s.fields.status };
      if (s.tags.ifIndex !== undefined) r.ifIndex = s.tags.ifIndex;
      if (s.fields.fdb_id !== undefined) r.fdb_id = num(s.fields.fdb_id);
      if (s.fields.vlan !== undefined) r.vlan = num(s.fields.vlan);
      return r as { entry: string };
    }).sort(byEntry);
    expect(got).toEqual(expectedFdb(name).sort(byEntry));
  });

  it.each(NAMES)('%s: every ARP entry (IPv4 and IPv6) as recorded', (name) => {
    const got = of(name, 'arp').map((s) => ({ entry: s.tags.entry!, ifIndex: s.tags.ifIndex, ifName: s.tags.ifName, ip: s.fields.ip, mac: s.fields.mac, type: s.fields.type })).sort(byEntry);
    expect(got).toEqual(expectedArp(name).sort(byEntry));
  });

  it.each(NAMES)('%s: every VLAN with its name (Cisco from vtpVlanTable)', (name) => {
    const got = of(name, 'vlan').map((s) => ({ vlan: num(s.fields.vlan), name: s.fields.name, status: s.fields.status, source: s.fields.source }));
    expect(got).toEqual(expectedVlans(name, CISCO.has(name)));
  });

  it('the recordings really exercise each table', () => {
    const count = (m: string) => NAMES.filter((n) => of(n, m).length > 0);
    expect(count('fdb')).toEqual(expect.arrayContaining(['cisco-unmarked-0', 'dlink-des3038', 'huawei-s5720', 'juniper-mx960-12-3r6-6', 'ruijie-s5750-24gt12sfp']));
    expect(of('dlink-des3038', 'fdb').some((s) => s.fields.vlan !== undefined)).toBe(true);
    // Junos numbers its filtering databases from 131072: no VLAN is invented for them.
    expect(of('juniper-mx960-12-3r6-6', 'fdb').every((s) => s.fields.vlan === undefined && num(s.fields.fdb_id)! > 4094)).toBe(true);
    expect(of('cisco-c3560', 'arp').some((s) => String(s.fields.ip).includes(':'))).toBe(true);
    expect(of('cisco-c3560', 'arp').some((s) => String(s.fields.ip).includes('.'))).toBe(true);
    expect(of('cisco-unmarked-0', 'vlan').length).toBeGreaterThan(10);
    expect(of('aruba-7010', 'fdb').length + of('aruba-7010', 'arp').length).toBe(0);
  });

  it.each(NAMES)('%s: one stored l2 sample counts what was kept', (name) => {
    const l2 = of(name, 'l2');
    expect(l2).toHaveLength(1);
    expect(l2[0]!.fields).toEqual({
      fdb_entries: BigInt(of(name, 'fdb').length), fdb_truncated: 0n, arp_entries: BigInt(of(name, 'arp').length), arp_truncated: 0n,
      vlan_entries: BigInt(of(name, 'vlan').length), vlan_truncated: 0n,
    });
  });

  it('rows beyond the per-device limits are left out and counted as truncated', () => {
    const l2 = truncated.find((s) => s.measurement === 'l2')!;
    const fdb = expectedFdb('ruijie-s5750-24gt12sfp').length;
    const arp = expectedArp('ruijie-s5750-24gt12sfp').length;
    expect(truncated.filter((s) => s.measurement === 'fdb')).toHaveLength(10);
    expect(truncated.filter((s) => s.measurement === 'arp')).toHaveLength(5);
    expect(l2.fields).toMatchObject({ fdb_entries: 10n, fdb_truncated: BigInt(fdb - 10), arp_entries: 5n, arp_truncated: BigInt(arp - 5), vlan_entries: 1n });
  });
});
