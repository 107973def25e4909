import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Device } from '../../../src/config/inventory-schema.js';
import { startSnmpsim, type SnmpsimInstance } from '../../../src/lab/snmpsim.js';
import { createInventoryPoller, createSnmpPoller, type SnmpPoller } from '../../../src/pollers/snmp/index.js';
import { tempDir } from '../../helpers/tmp.js';

/**
 * Agents Noctua has no profile for, served by a real snmpsimd and polled by the real pollers: the vendor on
 * every sample comes from sysDescr or the enterprise number, also when sysObjectID arrives as malformed text.
 */

const hex = (s: string) => Buffer.from(s, 'utf8').toString('hex');

/** community -> [sysObjectID record, sysDescr, expected vendor] */
const AGENTS: Record<string, [string, string, string]> = {
  // BDCOM switch: no profile, its own enterprise number and name.
  bdcom: ['6|1.3.6.1.4.1.3320.1.170', 'BDCOM(tm) S2528-B Software, Version 10.1.0E Build 42195', 'bdcom'],
  // A Netentsec firewall built on Vyatta: the vyatta profile matches the number, sysDescr names the maker.
  netentsec: ['6|1.3.6.1.4.1.30803', 'Vyatta NS-ASG-3000 Netentsec Application Security Gateway 6.0.4', 'netentsec'],
  // An agent that sends sysObjectID as text, and a sysDescr that names nobody: the registry number decides.
  dptech: ['4|SNMPv2-SMI::enterprises.31648.1.1', 'FW1000-GA-X V3.3.3.2', 'dptech'],
  // A UPS card known by its number only.
  eastpower: ['6|1.3.6.1.4.1.40614.1.1', 'UPS SNMP Agent V1.2', 'eastpower'],
  // A maker we have no word for: the IANA registry's organisation, shortened (17163 Riverbed Technology, Inc.).
  riverbed: ['6|1.3.6.1.4.1.17163.1.1', 'Steelhead CX770', 'riverbed'],
};

let sim: SnmpsimInstance;
let work: ReturnType<typeof tempDir>;
const pollers: SnmpPoller[] = [];

beforeAll(async () => {
  work = tempDir('noctua-identify-live-');
  // As root snmpsimd drops to nobody, who must be able to read the recordings (mkdtemp makes 0700 directories).
  const data = join(work.dir, 'snmprec');
  mkdirSync(data);
  chmodSync(work.dir, 0o755);
  for (const [community, [oidRecord, descr]] of Object.entries(AGENTS)) {
    writeFileSync(join(data, `${community}.snmprec`), [
      `1.3.6.1.2.1.1.1.0|4x|${hex(descr)}`,
      `1.3.6.1.2.1.1.2.0|${oidRecord}`,
      '1.3.6.1.2.1.1.3.0|67|123456',
      `1.3.6.1.2.1.1.5.0|4|${community}-1`,
      '',
    ].join('\n'));
  }
  sim = await startSnmpsim({ dataDir: data, workDir: work.dir, probeCommunity: 'bdcom' });
}, 90_000);

afterAll(async () => {
  for (const p of pollers) await p.close();
  await sim?.stop();
  work?.cleanup();
});

function device(community: string): Device {
  return {
    name: community, address: '127.0.0.1', class: 'other', site: 'lab', tags: [], enabled: true, icmp: false,
    snmp: { version: '2c', community, port: sim.port, timeoutMs: 3000, retries: 1, maxRepetitions: 10 },
    intervals: { icmp: 30_000, snmp: 60_000, inventory: 3_600_000 },
  };
}

describe('identification through snmpsimd', () => {
  it.each(Object.entries(AGENTS).map(([c, [, , vendor]]) => [c, vendor] as const))('%s is vendor %s on every sample', async (community, vendor) => {
    const snmp = createSnmpPoller();
    const inventory = createInventoryPoller();
    pollers.push(snmp, inventory);
    const r = await snmp.poll(device(community), AbortSignal.timeout(30_000));
    expect(r.errors).toEqual([]);
    expect(r.samples.length).toBeGreaterThan(1);
    for (const s of r.samples) expect(s.tags.vendor).toBe(vendor);
    expect(r.samples.find((s) => s.measurement === 'system')?.fields.vendor).toBe(vendor);
    expect(snmp.vendorOf(community)).toBe(vendor);
    const inv = await inventory.poll(device(community), AbortSignal.timeout(30_000));
    expect(inv.samples.find((s) => s.measurement === 'system')?.tags.vendor).toBe(vendor);
  });
});
