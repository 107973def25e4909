import { describe, expect, it } from 'vitest';
import { openStateDb } from '../../src/core/database.js';
import type { Sample } from '../../src/core/sample.js';
import { buildTopology, type NeighborObservation } from '../../src/topology/graph.js';
import { deriveParents } from '../../src/topology/parents.js';
import { TopologyService } from '../../src/topology/service.js';
import { TopologyStore } from '../../src/topology/store.js';

/** Graph building, parent derivation and link loss, on hand-made neighbour rows and a real SQLite state database. */

function obs(device: string, ifName: string, far: Partial<NeighborObservation>): NeighborObservation {
  return { device, protocol: 'lldp', ifName, localPortId: '', localPortDesc: '', chassisId: '', portId: '', portIdSubtype: 'interface-name', portDesc: '', sysName: '', mgmtAddress: '', platform: '', ...far };
}
const inventory = [
  { name: 'core', address: '10.0.0.1', chassisId: '00:00:00:00:00:01', sysName: 'core.example.net' },
  { name: 'dist', address: '10.0.0.2', chassisId: '00:00:00:00:00:02' },
  { name: 'acc1', address: '10.0.0.3' },
  { name: 'acc2', address: '10.0.0.4', sysName: 'ACC2' },
];

describe('topology graph from neighbour rows', () => {
  it('matches by chassis id, then management address, then sysName, and merges both ends into one link', () => {
    const t = buildTopology(inventory, [
      obs('dist', 'eth0', { chassisId: '00:00:00:00:00:01', portId: 'ge-0/0/1' }),
      obs('core', 'ge-0/0/1', { chassisId: '00:00:00:00:00:02', portId: 'eth0' }),
      obs('dist', 'eth1', { chassisId: 'ff:ff:ff:ff:ff:03', mgmtAddress: '10.0.0.3', portId: 'uplink' }),
      obs('dist', 'eth2', { protocol: 'cdp', chassisId: 'acc2.example.net(FOC123)', sysName: 'acc2.example.net(FOC123)', portId: 'Gi0/1' }),
      obs('dist', 'eth3', { chassisId: 'aa:bb:cc:dd:ee:ff', sysName: 'printer\u0000', mgmtAddress: '192.0.2.50', portId: 'p1' }),
      obs('acc1', 'eth9', { chassisId: 'aa:bb:cc:dd:ee:ff', portId: 'p2' }),
      obs('acc1', 'lo', { chassisId: 'zz', mgmtAddress: '10.0.0.3' }),
    ]);
    expect(t.links.map((l) => [l.id, l.matchedBy])).toEqual([
      ['acc1:uplink|dist:eth1', 'mgmt-address'],
      ['acc2:Gi0/1|dist:eth2', 'sysname'],
      ['core:ge-0/0/1|dist:eth0', 'chassis-id'],
    ]);
    expect(t.unmanaged).toHaveLength(1);
    expect(t.unmanaged[0]!.seenBy.map((s) => `${s.device}:${s.port}>${s.remotePort}`)).toEqual(['dist:eth3>p1', 'acc1:eth9>p2']);
  });

  it('derives parents toward the root, and says why a device has none', () => {
    const t = buildTopology(inventory, [
      obs('dist', 'eth0', { chassisId: '00:00:00:00:00:01', portId: 'ge-0/0/1' }),
      obs('dist', 'eth1', { mgmtAddress: '10.0.0.3', portId: 'uplink' }),
    ]);
    const p = deriveParents(inventory.map((d) => d.name), t.links, 'core');
    expect([...p.values()].map((d) => [d.device, d.parent])).toEqual([['core', undefined], ['dist', 'core'], ['acc1', 'dist'], ['acc2', undefined]]);
    expect(p.get('acc1')!.reason).toBe('dist is the next hop toward the root: core -> dist -> acc1');
    expect(p.get('acc2')!.reason).toBe('no link path to the root core');
    expect(deriveParents(['a'], [], undefined).get('a')!.reason).toMatch(/no topology root/);
    expect(deriveParents(['a'], [], 'zz').get('a')!.reason).toMatch(/not in the inventory/);
  });
});

describe('topology service over the state database', () => {
  const t0 = Date.parse('2026-12-01T00:00:00Z');
  const neighbor = (device: string, ifName: string, chassis: string, port: string): Sample => ({
    measurement: 'neighbor', tags: { device, protocol: 'lldp', ifName, neighbor: '1.1' }, time: new Date(t0),
    fields: { remote_chassis_id: chassis, remote_port_id: port, remote_port_desc: '', remote_sysname: '', remote_mgmt_address: '', local_port_id: '', local_port_desc: '' },
  });
  const system = (device: string, chassis: string): Sample => ({ measurement: 'system', tags: { device }, time: new Date(t0), fields: { sysName: device, lldp_chassis_id: chassis } });
  const done = (device: string, min: number): Sample => ({ measurement: 'snmp_poll', tags: { device, kind: 'inventory' }, time: new Date(t0 + min * 60_000), fields: { ok: true } });

  it('keeps first and last seen, and reports a link missed for lostAfter cycles once as link-lost', async () => {
    const published: Sample[] = [];
    const db = openStateDb('', ':memory:');
    const svc = new TopologyService(new TopologyStore(db), { root: 'core', lostAfter: 2 }, async (b) => { published.push(...b); });
    svc.setInventory([
      { name: 'core', address: '10.0.0.1', site: 'hq', class: 'router' },
      { name: 'acc', address: '10.0.0.3', site: 'hq', class: 'switch', parentAuto: true },
    ]);
    await svc.write([system('core', '00:01'), system('acc', '00:03'), neighbor('acc', 'up0', '00:01', 'ge1'), done('acc', 0), done('core', 0)]);
    expect(svc.parentOf('acc')).toBe('core');
    expect(svc.parentOf('core')).toBeUndefined();
    await svc.write([neighbor('acc', 'up0', '00:01', 'ge1'), done('acc', 60)]);
    let [link] = svc.storedLinks();
    expect(link).toMatchObject({ id: 'acc:up0|core:ge1', missed: 0, lost: false, firstSeen: new Date(t0), lastSeen: new Date(t0 + 3_600_000) });
    // core never reported the link (an end without LLDP): its cycles do not count as misses.
    await svc.write([done('core', 90), done('core', 100), done('core', 110)]);
    expect(svc.storedLinks()[0]!.missed).toBe(0);
    await svc.write([done('acc', 120)]);
    expect(published).toEqual([]);
    await svc.write([done('acc', 130)]);
    expect(published.map((s) => [s.tags.type, s.tags.source, s.tags.device, s.tags.ifName, s.fields.key])).toEqual([['link-lost', 'topology', 'acc', 'up0', 'acc:up0|core:ge1']]);
    await svc.write([done('acc', 180), done('core', 180)]);
    expect(published).toHaveLength(1);
    [link] = svc.storedLinks();
    expect(link).toMatchObject({ lost: true, missed: 2 });
    // Cut off from the root, the device keeps its last parent (that is when suppression needs it), and says so.
    expect(svc.parentOf('acc')).toBe('core');
    expect(svc.derivedParents().get('acc')!.reason).toBe('core kept from the last path to the root (no link path to the root core now)');
    db.close();
  });

  it('builds the graph only when inventory, names or neighbour rows changed, not at every inventory poll', async () => {
    const db = openStateDb('', ':memory:');
    const published: Sample[] = [];
    const svc = new TopologyService(new TopologyStore(db), { root: 'sw-0', lostAfter: 2 }, async (b) => { published.push(...b); });
    const names = Array.from({ length: 200 }, (_, i) => `sw-${i}`);
    svc.setInventory(names.map((name, i) => ({ name, address: `10.0.${i >> 8}.${i & 255}`, site: 'hq', class: 'switch', parentAuto: true })));
    expect(svc.builds).toBe(1);
    // 200 devices without LLDP polled twice: nothing the graph is built from changed.
    for (const min of [0, 60]) for (const [i, n] of names.entries()) await svc.write([system(n, `00:${i}`), done(n, min)]);
    expect(svc.builds).toBe(1);
    // A neighbour row appears: one build, and the link and parent are there at once.
    await svc.write([neighbor('sw-1', 'up0', '00:0', 'ge1'), done('sw-1', 61)]);
    expect(svc.builds).toBe(2);
    expect(svc.current().links.map((l) => l.id)).toEqual(['sw-0:ge1|sw-1:up0']);
    expect(svc.parentOf('sw-1')).toBe('sw-0');
    // The same row again, and other devices' polls: no build. A changed name: one build.
    await svc.write([neighbor('sw-1', 'up0', '00:0', 'ge1'), done('sw-1', 62)]);
    for (const [i, n] of names.entries()) if (n !== 'sw-1') await svc.write([system(n, `00:${i}`), done(n, 62)]);
    expect(svc.builds).toBe(2);
    // A changed name while rows exist: built when someone reads the graph, or at the next poll of a device with rows;
    // a device without rows reports no link, so its own poll needs no build (the first round of 200 new names would
    // otherwise build 200 times).
    for (const [i, n] of names.entries()) if (n !== 'sw-1') await svc.write([system(n, `01:${i}`), done(n, 63)]);
    expect(svc.builds).toBe(2);
    expect(svc.parentOf('sw-1')).toBe('sw-0');
    expect(svc.builds).toBe(3);
    expect(svc.current().links).toHaveLength(0);
    expect(svc.builds).toBe(3);
    // The row gone: built again, and the link counts a miss.
    await svc.write([done('sw-1', 64)]);
    expect(svc.builds).toBe(4);
    expect(svc.current().links).toEqual([]);
    expect(svc.storedLinks()[0]!.missed).toBe(1);
    expect(published).toEqual([]);
    db.close();
  });
});
