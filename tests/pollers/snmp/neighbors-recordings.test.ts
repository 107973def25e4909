import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Device } from '../../../src/config/inventory-schema.js';
import type { Sample } from '../../../src/core/sample.js';
import { createInventoryPoller, type SnmpPoller } from '../../../src/pollers/snmp/index.js';
import { realSnmpsim } from '../../helpers/real-parts.js';

/**
 * LLDP and CDP neighbours of shared recordings, served by a real snmpsimd and read by the inventory poller, against
 * the rows in tests/fixtures/neighbors/<name>.json (decoded from the .snmprec lines, not from Noctua's output).
 */

interface Expected {
  community: string;
  lldp_chassis_id: string | null;
  neighbors: { tags: Record<string, string>; fields: Record<string, string> }[];
}
const NAMES = ['h3c-e528-2', 'juniper-mx960-12-3r6-6', 'cisco-c3560', 'cisco-unmarked-0'];
const expected = new Map(NAMES.map((n) => [n, JSON.parse(readFileSync(join(import.meta.dirname, '../../fixtures/neighbors', `${n}.json`), 'utf8')) as Expected]));

let sim: Awaited<ReturnType<typeof realSnmpsim>>;
let inventory: SnmpPoller;
const polled = new Map<string, Sample[]>();

function deviceFor(name: string, port: number): Device {
  return {
    name, address: '127.0.0.1', class: 'other', site: 'lab', tags: [], enabled: true, icmp: false,
    snmp: { version: '2c', community: name, port, timeoutMs: 4000, retries: 1, maxRepetitions: 25 },
    intervals: { icmp: 30_000, snmp: 60_000, inventory: 3_600_000 },
  };
}

beforeAll(async () => {
  sim = await realSnmpsim();
  inventory = createInventoryPoller();
  for (const n of NAMES) polled.set(n, (await inventory.poll(deviceFor(n, sim.port), AbortSignal.timeout(60_000))).samples);
}, 120_000);

afterAll(async () => {
  await inventory?.close();
  await sim?.cleanup();
});

describe('neighbour tables of recorded devices, read by the inventory poll', () => {
  it.each(NAMES)('%s: every neighbour row parsed exactly as recorded', (name) => {
    const want = expected.get(name)!;
    const samples = polled.get(name)!;
    expect(samples.find((s) => s.measurement === 'snmp_poll')!.fields.ok).toBe(true);
    const got = samples.filter((s) => s.measurement === 'neighbor')
      .map((s) => ({ tags: Object.fromEntries(Object.entries(s.tags).filter(([k]) => ['protocol', 'ifName', 'ifIndex', 'neighbor'].includes(k))), fields: s.fields }))
      .sort((a, b) => `${a.tags.protocol} ${a.tags.neighbor}`.localeCompare(`${b.tags.protocol} ${b.tags.neighbor}`));
    expect(got).toEqual(want.neighbors);
    expect(got.length).toBeGreaterThan(0);
    for (const s of samples.filter((x) => x.measurement === 'neighbor')) expect(s.tags.device).toBe(name);
  });

  it.each(NAMES)('%s: the own LLDP chassis id is on the system sample where the agent has one', (name) => {
    const sys = polled.get(name)!.find((s) => s.measurement === 'system')!;
    expect(sys.fields.lldp_chassis_id).toBe(expected.get(name)!.lldp_chassis_id ?? undefined);
  });
});
