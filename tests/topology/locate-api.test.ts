import { afterAll, describe, expect, it } from 'vitest';
import { topologyView } from '../../src/api/services/topology.js';
import { openStateDb } from '../../src/core/database.js';
import type { Sample } from '../../src/core/sample.js';
import { L2Store } from '../../src/topology/l2-store.js';
import { TopologyService } from '../../src/topology/service.js';
import { TopologyStore } from '../../src/topology/store.js';
import { appOver, bearer, T0 } from '../api/memory-noc.js';

/** GET /api/v1/locate over a real topology and layer-2 store (SQLite) and the Debian IEEE registry. */

const db = openStateDb('', ':memory:');
const topology = new TopologyService(new TopologyStore(db), { root: 'core', lostAfter: 3 }, async () => {}, new L2Store(db));
topology.setInventory([{ name: 'acc-1', address: '10.0.0.11', site: 'hq', class: 'switch' }]);
const { app } = appOver({}, undefined, (services) => { services.topology = topologyView(topology, services.devices, () => undefined); });
const noL2 = new TopologyService(new TopologyStore(db), { lostAfter: 3 }, async () => {});
const bare = appOver({}, undefined, (services) => { services.topology = topologyView(noL2, services.devices, () => undefined); });
afterAll(async () => { await app.close(); await bare.app.close(); db.close(); });

const HOSTILE = '<img src=x onerror=alert(1)>';
const poll: Sample[] = [
  { measurement: 'fdb', tags: { device: 'acc-1', ifName: HOSTILE, ifIndex: '7', entry: 'x' }, time: T0, fields: { mac: '00:0f:e2:6a:1e:44', vlan: 20n, status: 'learned' } },
  { measurement: 'arp', tags: { device: 'acc-1', ifName: 'Vlanif20', ifIndex: '99', entry: 'y' }, time: T0, fields: { ip: '10.0.20.5', mac: '00:0f:e2:6a:1e:44', type: 'dynamic' } },
  { measurement: 'l2', tags: { device: 'acc-1' }, time: T0, fields: { fdb_entries: 1n } },
  { measurement: 'snmp_poll', tags: { device: 'acc-1', kind: 'inventory' }, time: T0, fields: { ok: true } },
];

describe('GET /api/v1/locate', () => {
  it('answers where a MAC is learned, with VLAN, times, IPs and the maker', async () => {
    await topology.write(poll);
    for (const url of ['/api/v1/locate?q=000f.e26a.1e44', '/api/v1/locate?mac=00:0F:E2:6A:1E:44', '/api/v1/locate?ip=10.0.20.5', '/api/v1/locate?q=10.0.20.5']) {
      const r = await app.inject({ url, headers: bearer('viewer') });
      expect(r.statusCode, url).toBe(200);
      const h = r.json().hosts[0];
      expect(h).toMatchObject({ mac: '00:0f:e2:6a:1e:44', vendor: 'Hangzhou H3C Technologies Co., Limited', ips: [{ ip: '10.0.20.5', device: 'acc-1', current: true }] });
      expect(h.best).toEqual({ device: 'acc-1', ifName: HOSTILE, ifIndex: '7', vlan: 20, status: 'learned', firstSeen: T0.toISOString(), lastSeen: T0.toISOString(), portSince: T0.toISOString(), current: true, uplink: false, macsOnPort: 1 });
    }
  });

  it('refuses malformed and oversized queries with a 400 naming the field', async () => {
    const cases: [string, string, RegExp][] = [
      ['q=aa:bb:cc:dd:ee', 'querystring.q', /not a valid MAC or IP address/],
      [`q=${'a'.repeat(10_240)}`, 'querystring.q', /at most 253 characters/],
      ['mac=printer', 'querystring.mac', /a MAC address/],
      ['ip=aa:bb:cc:dd:ee:ff', 'querystring.ip', /an IPv4 or IPv6 address/],
      ['q=a&ip=10.0.0.1', 'querystring', /exactly one of q, mac or ip/],
      ['', 'querystring', /exactly one of q, mac or ip/],
      ['q=%3Cscript%3E', 'querystring.q', /part of a host name/],
    ];
    for (const [qs, path, re] of cases) {
      const r = await app.inject({ url: `/api/v1/locate?${qs}`, headers: bearer('viewer') });
      expect(r.statusCode, qs.slice(0, 40)).toBe(400);
      expect(r.json().issues[0].path).toBe(path);
      expect(r.json().message).toMatch(re);
      expect(r.json().message.length).toBeLessThan(400);
    }
  });

  it('needs a token, and answers 404 where no layer-2 tables are kept', async () => {
    expect((await app.inject({ url: '/api/v1/locate?q=10.0.0.1' })).statusCode).toBe(401);
    const none = await bare.app.inject({ url: '/api/v1/locate?q=10.0.0.1', headers: bearer('viewer') });
    expect(none.statusCode).toBe(404);
    expect(none.json().message).toMatch(/layer-2 tables/);
  });
});
