import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Device } from '../../src/config/inventory-schema.js';
import { ConfigInvalidError } from '../../src/config/yaml-source.js';
import { openStateDb } from '../../src/core/database.js';
import type { Sample } from '../../src/core/sample.js';
import { fixturesDir } from '../../src/lab/paths.js';
import { createInventoryPoller, type SnmpPoller } from '../../src/pollers/snmp/index.js';
import { BUILTIN_PROFILE_DIR, loadProfiles } from '../../src/pollers/snmp/profile.js';
import { L2Store } from '../../src/topology/l2-store.js';
import { TopologyService } from '../../src/topology/service.js';
import { TopologyStore } from '../../src/topology/store.js';
import { recordingVariation, snmpsimWith } from '../helpers/real-parts.js';
import { tempDir } from '../helpers/tmp.js';
import { expectedVlans, read } from '../pollers/snmp/l2-expected.js';

/**
 * VLAN names from the vendor's own table (the profile's `vlanNames:`) where Q-BRIDGE has none: the huawei-s5720
 * recording serves no dot1qVlanStaticTable but HUAWEI-L2VLAN-MIB's hwL2VlanMIBTable; the h3c-e528-2 recording has
 * both, so two variations of it show the rule: Q-BRIDGE names emptied are filled from hh3cdot1qVlanName (one of
 * them set to a Chinese name), and a Q-BRIDGE name that is set wins over a different vendor name. All served by
 * snmpsimd and read by the inventory poll; expectations decoded from the .snmprec lines (tests/pollers/snmp/l2-expected.ts).
 */

const Q_NAME = '1.3.6.1.2.1.17.7.1.4.3.1.1';
const H3C_NAME = '1.3.6.1.4.1.25506.8.35.2.1.1.1.2';
const OFFICE = '办公网-Office';
const hex = (s: string) => Buffer.from(s, 'utf8').toString('hex');

const RECORDINGS: Record<string, { base: string; changes?: Record<string, string> }> = {
  huawei: { base: 'huawei-s5720' },
  'h3c-empty': { base: 'h3c-e528-2', changes: { [`${Q_NAME}.1`]: '4|', [`${Q_NAME}.2`]: '4|', [`${H3C_NAME}.2`]: `4x|${hex(OFFICE)}` } },
  'h3c-set': { base: 'h3c-e528-2', changes: { [`${H3C_NAME}.1`]: `4x|${hex('not this one')}` } },
};
const texts = Object.fromEntries(Object.entries(RECORDINGS).map(([k, r]) => [k, r.changes ? recordingVariation(r.base, r.changes) : readFileSync(join(fixturesDir(), 'snmprec', `${r.base}.snmprec`), 'utf8')]));

let sim: Awaited<ReturnType<typeof snmpsimWith>>;
let poller: SnmpPoller;
const polled = new Map<string, Sample[]>();

const device = (community: string): Device => ({
  name: community, address: '127.0.0.1', class: 'switch', site: 'lab', tags: [], enabled: true, icmp: false,
  snmp: { version: '2c', community, port: sim.port, timeoutMs: 4000, retries: 1, maxRepetitions: 25 },
  intervals: { icmp: 30_000, snmp: 60_000, inventory: 3_600_000 },
});
const vlans = (community: string) => polled.get(community)!.filter((s) => s.measurement === 'vlan')
  .map((s) => ({ vlan: Number(s.fields.vlan), name: s.fields.name, status: s.fields.status, source: s.fields.source }));

beforeAll(async () => {
  sim = await snmpsimWith(texts);
  poller = createInventoryPoller();
  for (const c of Object.keys(RECORDINGS)) {
    const r = await poller.poll(device(c), AbortSignal.timeout(60_000));
    expect(r.samples.find((s) => s.measurement === 'snmp_poll')!.fields.ok, c).toBe(true);
    polled.set(c, r.samples);
  }
}, 120_000);

afterAll(async () => {
  await poller?.close();
  await sim?.cleanup();
});

describe('VLAN names from the vendor table where Q-BRIDGE has none', () => {
  it('Huawei without Q-BRIDGE: every VLAN of hwL2VlanMIBTable, named by hwL2VlanDescr since hwL2VlanName is empty', () => {
    expect(vlans('huawei')).toEqual(expectedVlans('huawei-s5720', false, 'huawei'));
    // The recording's own words, for a reader: three VLANs, "VLAN 0030" style descriptions, all static.
    expect(vlans('huawei')).toEqual([
      { vlan: 1, name: 'VLAN 0001', status: 'static', source: 'huawei' },
      { vlan: 30, name: 'VLAN 0030', status: 'static', source: 'huawei' },
      { vlan: 200, name: 'VLAN 0200', status: 'static', source: 'huawei' },
    ]);
    const l2 = polled.get('huawei')!.find((s) => s.measurement === 'l2')!;
    expect(l2.fields).toMatchObject({ vlan_entries: 3n, vlan_truncated: 0n });
  });

  it('H3C with empty Q-BRIDGE names: filled from hh3cdot1qVlanName, a Chinese name intact', () => {
    const got = vlans('h3c-empty');
    expect(got).toEqual(expectedVlans('h3c-e528-2', false, 'h3c', read('h3c-e528-2', texts['h3c-empty'])));
    expect(got).toEqual([
      { vlan: 1, name: 'VLAN 0001', status: 'static', source: 'qbridge' },
      { vlan: 2, name: OFFICE, status: 'static', source: 'qbridge' },
    ]);
  });

  it('a Q-BRIDGE name that is set wins over the vendor table', () => {
    expect(vlans('h3c-set').map((v) => [v.vlan, v.name])).toEqual([[1, 'VLAN 0001'], [2, 'VLAN 0002']]);
  });

  it('the names reach the topology store', async () => {
    const db = openStateDb('', ':memory:');
    try {
      const l2 = new L2Store(db);
      const topology = new TopologyService(new TopologyStore(db), { lostAfter: 3 }, async () => {}, l2);
      topology.setInventory([{ name: 'huawei', address: '127.0.0.1', site: 'lab', class: 'switch' }]);
      await topology.write(polled.get('huawei')!);
      expect(l2.vlans('huawei').map((v) => `${v.vlan} ${v.name}`)).toEqual(['1 VLAN 0001', '30 VLAN 0030', '200 VLAN 0200']);
    } finally {
      db.close();
    }
  });
});

describe('vlanNames in a profile is checked at load', () => {
  it('names the file, line and field of a status value that is not an integer, and of a missing names list', () => {
    const tmp = tempDir('noctua-vlan-profile-');
    try {
      const dir = join(tmp.dir, 'profiles');
      mkdirSync(dir);
      writeFileSync(join(dir, 'acme.yaml'), [
        'name: acme', 'vendor: acme', 'match: [{ sysObjectID: 1.3.6.1.4.1.99999 }]',
        'vlanNames:', '  names: [1.3.6.1.4.1.99999.1.2]', "  status: { column: 1.3.6.1.4.1.99999.1.3, values: { static: '2' } }", '',
      ].join('\n'));
      writeFileSync(join(dir, 'other.yaml'), ['name: other', 'vendor: other', 'match: [{ sysObjectID: 1.3.6.1.4.1.99998 }]', 'vlanNames: { names: [] }', ''].join('\n'));
      let err: unknown;
      try { loadProfiles([BUILTIN_PROFILE_DIR, dir]); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(ConfigInvalidError);
      const text = (err as ConfigInvalidError).errors.map((e) => `${e.file}:${e.line} ${e.path} ${e.message}`).join('\n');
      expect(text).toMatch(/acme\.yaml:6 vlanNames\.status\.values\.static expected an integer the agent sends/);
      expect(text).toMatch(/other\.yaml:4 vlanNames\.names/);
    } finally {
      tmp.cleanup();
    }
  });
});
