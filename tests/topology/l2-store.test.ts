import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStateDb } from '../../src/core/database.js';
import type { Sample } from '../../src/core/sample.js';
import { parseLocateQuery } from '../../src/topology/locate-query.js';
import { L2Store } from '../../src/topology/l2-store.js';
import { OuiRegistry } from '../../src/topology/oui.js';
import { TopologyService } from '../../src/topology/service.js';
import { TopologyStore } from '../../src/topology/store.js';
import { tempDir } from '../helpers/tmp.js';

/** The layer-2 tables in the topology store (real SQLite): first/last seen, MAC moves, retention, and locate's ranking. */

const H = 3_600_000;
const T0 = new Date(Date.UTC(2026, 11, 1, 8));
const at = (h: number) => new Date(T0.getTime() + h * H);
const tmp = tempDir('noctua-l2-');
mkdirSync(join(tmp.dir, 'ieee'));
// A registry in the Debian file's shape, with a quoted name that holds a comma.
writeFileSync(join(tmp.dir, 'ieee', 'oui.csv'), 'Registry,Assignment,Organization Name,Organization Address\nMA-L,001122,"Acme, Inc.",Somewhere\nMA-L,0CDA41,Hangzhou H3C Technologies Co.,x\n');
writeFileSync(join(tmp.dir, 'ieee', 'oui36.csv'), 'Registry,Assignment,Organization Name,Organization Address\nMA-S,0011223,Tiny Block Ltd,y\n');

const db = openStateDb('', ':memory:');
const events: Sample[] = [];
const topo = new TopologyService(new TopologyStore(db), { root: 'core', lostAfter: 3, l2: { maxFdbRows: 100, maxArpRows: 100, maxVlans: 10, keepFor: 24 * H, macMoveEvents: 2 } },
  async (e) => { events.push(...e); }, new L2Store(db), new OuiRegistry(join(tmp.dir, 'ieee')));
topo.setInventory([
  { name: 'core', address: '10.0.0.1', site: 'hq', class: 'switch' },
  { name: 'acc-1', address: '10.0.0.11', site: 'hq', class: 'switch' },
  { name: 'srv-db-01', address: '10.0.5.20', site: 'hq', class: 'server' },
]);
afterAll(() => { db.close(); tmp.cleanup(); });

const fdb = (device: string, mac: string, ifName: string, vlan = 10, status = 'learned'): Sample => ({
  measurement: 'fdb', tags: { device, ifName, ifIndex: ifName.replace(/\D/g, ''), entry: mac }, time: T0, fields: { mac, vlan: BigInt(vlan), status },
});
const arp = (device: string, ip: string, mac: string): Sample => ({ measurement: 'arp', tags: { device, ifName: 'Vlanif10', ifIndex: '100', entry: ip }, time: T0, fields: { ip, mac, type: 'dynamic' } });
const lldp = (device: string, ifName: string, sysName: string, port: string): Sample => ({
  measurement: 'neighbor', tags: { device, protocol: 'lldp', ifName, neighbor: '1.1' }, time: T0,
  fields: { remote_chassis_id: '', remote_port_id: port, remote_port_id_subtype: 'interface-name', remote_port_desc: '', remote_sysname: sysName, remote_mgmt_address: '', local_port_id: '', local_port_desc: '' },
});
const cycle = (device: string, rows: Sample[], when: Date) => topo.write([...rows, { measurement: 'l2', tags: { device }, time: when, fields: {} },
  { measurement: 'snmp_poll', tags: { device, kind: 'inventory' }, time: when, fields: { ok: true } }].map((s) => ({ ...s, time: when })));

const HOST = '00:11:22:aa:bb:cc';
const q = (text: string) => { const p = parseLocateQuery(text); if (typeof p === 'string') throw new Error(p); return p; };

describe('layer-2 tables in the topology store', () => {
  it('locates a MAC on the edge port, not on the uplinks that also learn it, with first/last seen and its maker', async () => {
    // core learns the host on its downlink to acc-1 (an LLDP link), acc-1 on its access port Gi0/7 and its uplink.
    const many = Array.from({ length: 5 }, (_, i) => fdb('core', `00:11:22:00:00:0${i}`, 'Gi1/0/1'));
    await cycle('core', [lldp('core', 'Gi1/0/1', 'acc-1', 'Gi0/48'), fdb('core', HOST, 'Gi1/0/1'), ...many, arp('core', '10.0.5.20', HOST)], at(0));
    await cycle('acc-1', [lldp('acc-1', 'Gi0/48', 'core', 'Gi1/0/1'), fdb('acc-1', HOST, 'Gi0/7'), fdb('acc-1', '00:11:22:00:00:01', 'Gi0/48'), fdb('acc-1', '0c:da:41:00:00:01', 'Gi0/48', 1, 'self')], at(0));
    await cycle('acc-1', [lldp('acc-1', 'Gi0/48', 'core', 'Gi1/0/1'), fdb('acc-1', HOST, 'Gi0/7'), fdb('acc-1', '00:11:22:00:00:01', 'Gi0/48')], at(1));
    const a = topo.locate(q('00-11-22-AA-BB-CC'))!;
    expect(a.hosts).toHaveLength(1);
    const h = a.hosts[0]!;
    expect(h.vendor).toBe('Acme, Inc.');
    expect(h.best).toMatchObject({ device: 'acc-1', ifName: 'Gi0/7', vlan: 10, uplink: false, current: true, macsOnPort: 1 });
    expect(h.best!.firstSeen).toEqual(at(0));
    expect(h.best!.lastSeen).toEqual(at(1));
    expect(h.locations.map((l) => `${l.device} ${l.ifName} ${l.uplink}`)).toEqual(['acc-1 Gi0/7 false', 'core Gi1/0/1 true']);
    expect(h.ips).toEqual([{ ip: '10.0.5.20', device: 'core', lastSeen: at(0), current: true }]);
    expect(events).toEqual([]);
  });

  it('finds a host by IP through ARP, and by part of an inventory name through its address', () => {
    expect(topo.locate(q('10.0.5.20'))!.hosts[0]!.best).toMatchObject({ device: 'acc-1', ifName: 'Gi0/7' });
    const byName = topo.locate(q('DB-0'))!;
    expect(byName.devices).toEqual(['srv-db-01']);
    expect(byName.hosts.map((h) => h.mac)).toEqual([HOST]);
    expect(topo.locate(q('10.9.9.9'))!.hosts).toEqual([]);
  });

  it('a MAC that moves port is one mac-moved event, bounded per cycle with the rest summed up', async () => {
    const movers = ['00:11:22:00:00:a1', '00:11:22:00:00:a2', '00:11:22:00:00:a3', '00:11:22:00:00:a4'];
    await cycle('acc-1', [fdb('acc-1', HOST, 'Gi0/7'), ...movers.map((m) => fdb('acc-1', m, 'Gi0/1'))], at(2));
    expect(events).toEqual([]);
    await cycle('acc-1', [fdb('acc-1', HOST, 'Gi0/9'), ...movers.map((m) => fdb('acc-1', m, 'Gi0/2'))], at(3));
    expect(events.map((e) => e.tags.type)).toEqual(['mac-moved', 'mac-moved', 'mac-moved']);
    expect(events[0]!.fields.message).toBe(`MAC ${HOST} in VLAN 10 moved on acc-1 from Gi0/7 to Gi0/9 (last seen on Gi0/7 ${at(2).toISOString()})`);
    expect(events[0]!.fields.message_zh).toContain('从 Gi0/7 移到 Gi0/9');
    expect(events[0]!.tags).toMatchObject({ device: 'acc-1', source: 'topology', ifName: 'Gi0/9', site: 'hq' });
    expect(events[2]!.fields).toMatchObject({ count: 3n, key: 'acc-1|mac-moves' });
    expect(events[2]!.fields.message).toContain('3 more MACs moved port on acc-1');
    const h = topo.locate(q(HOST))!.hosts[0]!;
    expect(h.best).toMatchObject({ device: 'acc-1', ifName: 'Gi0/9' });
    expect(h.best!.portSince).toEqual(at(3));
    expect(h.best!.firstSeen).toEqual(at(0));
  });

  it('keeps a MAC the device no longer reports for keepFor as not current, then drops it', async () => {
    await cycle('acc-1', [], at(4));
    const h = topo.locate(q(HOST))!.hosts[0]!;
    expect(h.best).toMatchObject({ device: 'core', current: true });
    expect(h.locations.find((l) => l.device === 'acc-1')).toMatchObject({ current: false, ifName: 'Gi0/9', lastSeen: at(3) });
    await cycle('acc-1', [], at(28));
    expect(topo.locate(q(HOST))!.hosts[0]!.locations.map((l) => l.device)).toEqual(['core']);
  });

  it('an inventory poll without layer-2 tables leaves the stored rows alone', async () => {
    const before = new L2Store(db).counts('core');
    await topo.write([{ measurement: 'snmp_poll', tags: { device: 'core', kind: 'inventory' }, time: at(29), fields: { ok: true } }]);
    expect(new L2Store(db).counts('core')).toEqual(before);
    expect(before.fdb).toBeGreaterThan(0);
  });

  it('names the maker by the longest registered prefix, and says why there is none', () => {
    const oui = new OuiRegistry(join(tmp.dir, 'ieee'));
    expect(oui.lookup('00:11:22:33:44:55').vendor).toBe('Tiny Block Ltd');
    expect(oui.lookup('0c:da:41:13:04:41').vendor).toBe('Hangzhou H3C Technologies Co.');
    expect(oui.lookup('02:00:00:00:00:01').note).toMatch(/locally administered/);
    expect(oui.lookup('01:00:5e:00:00:01').note).toMatch(/multicast/);
    expect(oui.lookup('a4:00:00:00:00:01').note).toMatch(/not in the IEEE registry/);
    expect(new OuiRegistry(join(tmp.dir, 'none')).lookup('00:11:22:33:44:55').note).toBe(`the IEEE OUI registry is not at ${join(tmp.dir, 'none', 'oui.csv')}: install Debian's ieee-data package (apt install ieee-data)`);
  });

  it('reads the Debian registry itself when ieee-data is installed', () => {
    const maker = new OuiRegistry().lookup('00:0f:e2:6a:1e:44');
    expect(maker.vendor).toBe('Hangzhou H3C Technologies Co., Limited');
  });
});

describe('locate queries', () => {
  it.each([
    ['aa:bb:cc:dd:ee:ff', { kind: 'mac', mac: 'aa:bb:cc:dd:ee:ff' }], ['AABB.CCDD.EEFF', { kind: 'mac', mac: 'aa:bb:cc:dd:ee:ff' }],
    ['aa-bb-cc-dd-ee-ff', { kind: 'mac', mac: 'aa:bb:cc:dd:ee:ff' }], ['aabbccddeeff', { kind: 'mac', mac: 'aa:bb:cc:dd:ee:ff' }],
    ['10.1.2.3', { kind: 'ip', ip: '10.1.2.3' }], ['FE80::2:1', { kind: 'ip', ip: 'fe80:0:0:0:0:0:2:1' }], ['Printer-3F', { kind: 'name', text: 'printer-3f' }],
  ])('%s is understood', (text, want) => { expect(parseLocateQuery(text)).toEqual(want); });

  it.each([
    ['aa:bb:cc:dd:ee', /not a valid MAC or IP address/], ['zz:zz:zz:zz:zz:zz', /not a valid MAC/], ['aa-bb-cc-dd-ee', /not a valid MAC/],
    ['x'.repeat(10_000), /^at most 253 characters$/], ['', /not empty/], ['<script>', /part of a host name/], ['a', /part of a host name/],
  ])('%s is refused with what was expected', (text, re) => { expect(parseLocateQuery(text)).toMatch(re); });
});
