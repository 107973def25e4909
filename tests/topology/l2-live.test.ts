import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Device } from '../../src/config/inventory-schema.js';
import { openStateDb } from '../../src/core/database.js';
import type { Sample } from '../../src/core/sample.js';
import { fixturesDir } from '../../src/lab/paths.js';
import { createInventoryPoller, type SnmpPoller } from '../../src/pollers/snmp/index.js';
import { L2Store } from '../../src/topology/l2-store.js';
import { TopologyService } from '../../src/topology/service.js';
import { TopologyStore } from '../../src/topology/store.js';
import { recordingVariation, snmpsimWith } from '../helpers/real-parts.js';

/**
 * A MAC moving port on a real agent: snmpsimd serves the huawei-s5720 recording, then the same recording with one
 * dot1dTpFdbPort changed (bridge port 29 = XGigabitEthernet0/0/1 → 3 = GigabitEthernet0/0/3, by dot1dBasePortIfIndex
 * and ifName in the recording); the inventory poll's rows go through the topology service into SQLite.
 */

const MAC = '00:0b:86:a9:56:c0';
const PORT_OID = '1.3.6.1.2.1.17.4.3.1.2.0.11.134.169.86.192';
let sim: Awaited<ReturnType<typeof snmpsimWith>>;
let poller: SnmpPoller;
const db = openStateDb('', ':memory:');
const events: Sample[] = [];
const topology = new TopologyService(new TopologyStore(db), { lostAfter: 3 }, async (e) => { events.push(...e); }, new L2Store(db));
topology.setInventory([{ name: 'acc-sw', address: '127.0.0.1', site: 'lab', class: 'switch' }]);

const device = (community: string): Device => ({
  name: 'acc-sw', address: '127.0.0.1', class: 'switch', site: 'lab', tags: [], enabled: true, icmp: false,
  snmp: { version: '2c', community, port: sim.port, timeoutMs: 4000, retries: 1, maxRepetitions: 25 },
  intervals: { icmp: 30_000, snmp: 60_000, inventory: 3_600_000 },
});

beforeAll(async () => {
  const base = readFileSync(join(fixturesDir(), 'snmprec', 'huawei-s5720.snmprec'), 'utf8');
  sim = await snmpsimWith({ before: base, after: recordingVariation('huawei-s5720', { [PORT_OID]: '2|3' }) });
  poller = createInventoryPoller();
}, 60_000);

afterAll(async () => {
  await poller?.close();
  await sim?.cleanup();
  db.close();
});

describe('MAC moves seen through a real agent', () => {
  it('stores the recorded FDB and ARP rows, then reports the one MAC that moved, and locate follows it', async () => {
    const first = await poller.poll(device('before'), AbortSignal.timeout(60_000));
    expect(first.samples.find((s) => s.measurement === 'snmp_poll')!.fields.ok).toBe(true);
    await topology.write(first.samples);
    const counts = new L2Store(db).counts('acc-sw');
    expect(counts.fdb).toBe(first.samples.filter((s) => s.measurement === 'fdb').length);
    expect(counts.fdb).toBe(48);
    expect(counts.arp).toBe(first.samples.filter((s) => s.measurement === 'arp').length);
    const q = { kind: 'mac' as const, mac: MAC };
    expect(topology.locate(q)!.hosts[0]!.best).toMatchObject({ device: 'acc-sw', ifName: 'XGigabitEthernet0/0/1', ifIndex: '34', current: true });
    expect(events).toEqual([]);

    const second = await poller.poll(device('after'), AbortSignal.timeout(60_000));
    await topology.write(second.samples);
    expect(events).toHaveLength(1);
    expect(events[0]!.tags).toMatchObject({ device: 'acc-sw', type: 'mac-moved', source: 'topology', ifName: 'GigabitEthernet0/0/3' });
    expect(events[0]!.tags.entity).toBe(MAC);
    expect(events[0]!.fields).toMatchObject({ count: 1n });
    expect(String(events[0]!.fields.message)).toContain(`MAC ${MAC} moved on acc-sw from XGigabitEthernet0/0/1 to GigabitEthernet0/0/3`);
    const best = topology.locate(q)!.hosts[0]!.best!;
    expect(best).toMatchObject({ ifName: 'GigabitEthernet0/0/3', ifIndex: '8', macsOnPort: 1 });
    expect(best.portSince.getTime()).toBeGreaterThan(best.firstSeen.getTime());
  });
});
