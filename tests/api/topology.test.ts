import { afterAll, describe, expect, it } from 'vitest';
import { openStateDb } from '../../src/core/database.js';
import type { Sample } from '../../src/core/sample.js';
import { topologyView } from '../../src/api/services/topology.js';
import { TopologyService } from '../../src/topology/service.js';
import { TopologyStore } from '../../src/topology/store.js';
import { appOver, bearer, T0 } from './memory-noc.js';

/** GET /api/v1/topology over a real topology (SQLite state database) and the in-memory device directory. */

const db = openStateDb('', ':memory:');
const topology = new TopologyService(new TopologyStore(db), { root: 'core-sw-01', lostAfter: 3 }, async () => {});
topology.setInventory([
  { name: 'core-sw-01', address: '10.0.0.1', site: 'hq', class: 'switch' },
  { name: 'fw-01', address: '10.0.0.3', site: 'hq', class: 'firewall', parentAuto: true },
  { name: 'edge-rt-01', address: '10.0.0.2', site: 'hq', class: 'router' },
]);
const configured = new Map([['edge-rt-01', 'core-sw-01']]);
const { app } = appOver({}, undefined, (services) => { services.topology = topologyView(topology, services.devices, (n) => configured.get(n)); });
const bare = appOver();
afterAll(async () => { await app.close(); await bare.app.close(); db.close(); });

const neighbor = (device: string, ifName: string, f: Record<string, string>): Sample => ({
  measurement: 'neighbor', tags: { device, protocol: 'lldp', ifName, neighbor: '1.1' }, time: T0,
  fields: { remote_chassis_id: '', remote_port_id: '', remote_port_id_subtype: 'interface-name', remote_port_desc: '', remote_sysname: '', remote_mgmt_address: '', local_port_id: '', local_port_desc: '', ...f },
});
const done = (device: string): Sample => ({ measurement: 'snmp_poll', tags: { device, kind: 'inventory' }, time: T0, fields: { ok: true } });

describe('GET /api/v1/topology', () => {
  it('lists nodes with live state and parents, links with both ports and speeds, and unmanaged neighbours', async () => {
    await topology.write([
      neighbor('fw-01', 'eth1', { remote_mgmt_address: '10.0.0.1', remote_port_id: 'GE0/0/2' }),
      neighbor('fw-01', 'eth2', { remote_chassis_id: '00:11:22:33:44:55', remote_sysname: '<script>x</script>', remote_port_id: 'p9' }),
      done('fw-01'),
    ]);
    const r = await app.inject({ url: '/api/v1/topology', headers: bearer('viewer') });
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body.links).toEqual([{
      id: 'core-sw-01:GE0/0/2|fw-01:eth1', a: { device: 'core-sw-01', port: 'GE0/0/2', speedBps: 1e9 }, b: { device: 'fw-01', port: 'eth1' },
      protocol: 'lldp', matchedBy: 'mgmt-address', firstSeen: T0.toISOString(), lastSeen: T0.toISOString(), lost: false, missed: 0,
    }]);
    const byName = Object.fromEntries((body.nodes as { name: string; parent?: string }[]).map((n) => [n.name, n]));
    expect(byName['fw-01']).toMatchObject({ class: 'firewall', parent: 'core-sw-01', parentFrom: 'derived' });
    expect(byName['edge-rt-01']).toMatchObject({ parent: 'core-sw-01', parentFrom: 'configured' });
    expect(byName['core-sw-01']!.parent).toBeUndefined();
    expect(body.unmanaged).toEqual([{ key: '00:11:22:33:44:55', sysName: '<script>x</script>', chassisId: '00:11:22:33:44:55', mgmtAddress: '', platform: '',
      seenBy: [{ device: 'fw-01', port: 'eth2', remotePort: 'p9', protocol: 'lldp' }] }]);
    expect(r.headers['content-type']).toContain('application/json');
  });

  it('needs a token, and answers 404 where no topology is kept', async () => {
    expect((await app.inject({ url: '/api/v1/topology' })).statusCode).toBe(401);
    const none = await bare.app.inject({ url: '/api/v1/topology', headers: bearer('viewer') });
    expect(none.statusCode).toBe(404);
    expect(none.json().message).toMatch(/process that runs the alert engine/);
  });
});
