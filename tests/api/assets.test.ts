import { afterAll, describe, expect, it } from 'vitest';
import type { Device } from '../../src/config/inventory-schema.js';
import { openStateDb } from '../../src/core/database.js';
import { assetService } from '../../src/service/assets/service.js';
import { AssetStore } from '../../src/service/assets/store.js';
import type { DeviceSnapshot } from '../../src/service/assets/types.js';
import { appOver, bearer } from './memory-noc.js';

/** GET /api/v1/assets and /assets/events over a real state database seeded through the asset register. */

const db = openStateDb('', ':memory:');
const store = new AssetStore(db);
const base: DeviceSnapshot = {
  device: 'core-sw1', site: 'hq', class: 'switch', vendor: 'cisco', model: 'WS-C3560G-48TS-E', serial: 'FOC1408Z61U', firmware: '12.2(55)SE3', hardware: 'V05', sysDescr: '',
  parts: [{ entity: '1058', part: 'port', name: 'Gi0/49', descr: '', model: '', serial: 'AGT1105U10Z', firmware: '', hardware: '', manufacturer: '' }],
};
store.observe(base, new Date('2026-11-01T00:00:00Z'));
store.observe({ ...base, parts: [{ ...base.parts[0]!, serial: 'FNS99999XYZ' }] }, new Date('2026-11-20T00:00:00Z'));
const inventory: Device[] = [
  { name: 'core-sw1', address: '192.0.2.1', class: 'switch', site: 'hq', tags: [], enabled: true, snmp: false, icmp: false,
    intervals: { icmp: 30_000, snmp: 60_000, inventory: 3_600_000 }, asset: { owner: 'network team', warrantyEnd: '2027-01-14' } },
  { name: 'edge-rt1', address: '192.0.2.2', class: 'router', site: 'hq', tags: [], enabled: true, snmp: false, icmp: false,
    intervals: { icmp: 30_000, snmp: 60_000, inventory: 3_600_000 } },
];
const { app } = appOver({}, undefined, (s) => { s.assets = assetService(db, () => inventory); });
const { app: bare } = appOver();
afterAll(async () => { await app.close(); await bare.close(); db.close(); });

describe('/api/v1/assets', () => {
  it('lists every inventory device with hardware, parts and operator fields; one never polled says so', async () => {
    const r = await app.inject({ url: '/api/v1/assets', headers: bearer('viewer') });
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body.total).toBe(2);
    expect(body.items[0]).toMatchObject({
      device: 'core-sw1', class: 'switch', vendor: 'cisco', model: 'WS-C3560G-48TS-E', serial: 'FOC1408Z61U', firmware: '12.2(55)SE3', polled: true, inInventory: true,
      parts: [{ entity: '1058', part: 'port', serial: 'FNS99999XYZ' }], asset: { owner: 'network team', warrantyEnd: '2027-01-14' }, lastSeen: '2026-11-20T00:00:00.000Z',
    });
    expect(body.items[1]).toMatchObject({ device: 'edge-rt1', polled: false, serial: '', parts: [], asset: {} });
  });

  it('events filter by time and device, oldest first', async () => {
    const r = await app.inject({ url: '/api/v1/assets/events?since=2026-11-10T00:00:00Z&device=core-sw1', headers: bearer('viewer') });
    expect(r.statusCode).toBe(200);
    expect(r.json().items).toEqual([{ seq: 2, at: '2026-11-20T00:00:00.000Z', device: 'core-sw1', kind: 'module-swapped', entity: '1058', part: 'port', name: 'Gi0/49', from: 'AGT1105U10Z', to: 'FNS99999XYZ' }]);
    const all = await app.inject({ url: '/api/v1/assets/events', headers: bearer('viewer') });
    expect(all.json().items.map((e: { kind: string }) => e.kind)).toEqual(['device-added', 'module-swapped']);
  });

  it('refuses a bad time or an unknown parameter naming it, asks for a token, and says when no register is kept', async () => {
    const bad = await app.inject({ url: '/api/v1/assets/events?since=yesterday', headers: bearer('viewer') });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('since');
    const unknown = await app.inject({ url: '/api/v1/assets?colour=red', headers: bearer('viewer') });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.body).toContain('colour');
    expect((await app.inject({ url: '/api/v1/assets' })).statusCode).toBe(401);
    const none = await bare.inject({ url: '/api/v1/assets', headers: bearer('viewer') });
    expect(none.statusCode).toBe(404);
    expect(none.body).toContain('asset register');
  });
});
