/**
 * The console's topology page in Chromium, over a real topology service and layer-2 store (SQLite) fed with
 * neighbour and FDB samples: devices as boxes under their derived parents, links with both port names, a lost
 * link, an unmanaged neighbour drawn apart, clicks to the device page, the locate box, and hostile device text
 * (a sysName, a neighbour's name and port, a port name) shown as text.
 */
import { pino } from 'pino';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topologyView } from '../../src/api/services/topology.js';
import { startApiServer, type ApiServer } from '../../src/api/server.js';
import { openStateDb, type Db } from '../../src/core/database.js';
import type { Sample } from '../../src/core/sample.js';
import { L2Store } from '../../src/topology/l2-store.js';
import { TopologyService } from '../../src/topology/service.js';
import { TopologyStore } from '../../src/topology/store.js';
import { apiSettings, MemoryNoc, T0, TOKENS } from '../api/memory-noc.js';
import { launchChromium, settled } from '../helpers/browser.js';

const HOSTILE = '<img src=x onerror="window.__owned=1">';
const SCRIPT = '<script>window.__owned=2</script>';
const MAC = '00:0f:e2:6a:1e:44';

const neighbor = (device: string, ifName: string, f: Record<string, string>, time: Date): Sample => ({
  measurement: 'neighbor', tags: { device, protocol: 'lldp', ifName, neighbor: ifName }, time,
  fields: { remote_chassis_id: '', remote_port_id: '', remote_port_id_subtype: 'interface-name', remote_port_desc: '', remote_sysname: '', remote_mgmt_address: '', local_port_id: '', local_port_desc: '', ...f },
});
const inventoryDone = (device: string, time: Date, l2 = false): Sample[] => [
  ...(l2 ? [{ measurement: 'l2', tags: { device }, time, fields: {} }] : []),
  { measurement: 'snmp_poll', tags: { device, kind: 'inventory' }, time, fields: { ok: true } },
];

describe('console: the topology page', () => {
  let db: Db;
  let server: ApiServer;
  let browser: Browser;

  beforeAll(async () => {
    db = openStateDb('', ':memory:');
    const topology = new TopologyService(new TopologyStore(db), { root: 'core-sw-01', lostAfter: 2 }, async () => {}, new L2Store(db));
    topology.setInventory([
      { name: 'core-sw-01', address: '10.0.0.1', site: 'hq', class: 'switch' },
      { name: 'fw-01', address: '10.0.0.3', site: 'hq', class: 'firewall', parentAuto: true },
      { name: 'edge-rt-01', address: '10.0.0.2', site: 'hq', class: 'router', parentAuto: true },
      { name: 'branch-rt-01', address: '10.1.0.1', site: 'shanghai', class: 'router' },
      { name: 'branch-ups-01', address: '10.1.0.9', site: 'shanghai', class: 'ups' },
    ]);
    const t1 = new Date(T0.getTime() - 3 * 3_600_000);
    await topology.write([
      neighbor('fw-01', 'eth1', { remote_mgmt_address: '10.0.0.1', remote_port_id: 'GE0/0/2' }, t1),
      neighbor('fw-01', 'eth2', { remote_chassis_id: '00:11:22:33:44:55', remote_sysname: SCRIPT, remote_port_id: HOSTILE }, t1),
      ...inventoryDone('fw-01', t1),
      neighbor('edge-rt-01', 'ge-0/0/0', { remote_sysname: 'core-sw-01', remote_port_id: 'GE0/0/1' }, t1),
      ...inventoryDone('edge-rt-01', t1),
      { measurement: 'fdb', tags: { device: 'core-sw-01', ifName: HOSTILE, ifIndex: '9', entry: 'x' }, time: t1, fields: { mac: MAC, vlan: 20n, status: 'learned' } },
      { measurement: 'arp', tags: { device: 'core-sw-01', ifName: 'Vlanif20', ifIndex: '99', entry: 'y' }, time: t1, fields: { ip: '10.0.20.5', mac: MAC, type: 'dynamic' } },
      ...inventoryDone('core-sw-01', t1, true),
    ]);
    // edge-rt-01 stops reporting its link for two inventory cycles: the link is lost, the derived parent kept.
    for (const h of [2, 1]) await topology.write(inventoryDone('edge-rt-01', new Date(T0.getTime() - h * 3_600_000)));
    const noc = new MemoryNoc(() => T0);
    noc.devices.set('fw-01', { ...noc.devices.get('fw-01')!, sysName: HOSTILE });
    const services = noc.services();
    services.topology = topologyView(topology, services.devices, () => undefined);
    server = await startApiServer({ settings: apiSettings({ host: '127.0.0.1', port: 0 }), services, log: pino({ level: 'silent' }) });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    db?.close();
  });

  it('draws devices under their derived parents with both ports of each link, a lost link and an unmanaged neighbour, device text as text', async () => {
    const context = await browser.newContext({ extraHTTPHeaders: { authorization: `Bearer ${TOKENS.viewer}` }, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}/console/?lang=en#/topology`);
    await settled(() => page.locator('svg g.node.device').count(), 15_000).toBe(5);
    expect(await page.locator('svg g.node.unmanaged').count()).toBe(1);
    expect(await page.locator('svg g.edge.link').count()).toBe(1);
    expect(await page.locator('svg g.edge.lost').count()).toBe(1);
    expect(await page.locator('svg g.edge.unmanaged').count()).toBe(1);
    expect(await page.locator('svg g.edge.link text').allTextContents()).toEqual(expect.arrayContaining(['GE0/0/2', 'eth1']));
    // The tree: the root on the first row, the firewall and the router (derived parents) one row below.
    const y = async (id: string) => Number(await page.locator(`svg g.node[data-id="${id}"] rect`).getAttribute('y'));
    expect(await y('fw-01')).toBeGreaterThan(await y('core-sw-01'));
    expect(await y('edge-rt-01')).toBe(await y('fw-01'));
    expect(await page.locator('svg g.node[data-id="fw-01"] title').textContent()).toContain(HOSTILE);
    expect(await page.locator('svg g.node.unmanaged title').textContent()).toContain(SCRIPT);
    expect(await page.locator('table.unmanaged tbody td').first().textContent()).toBe(SCRIPT);
    expect(await page.locator('table.parents tbody tr', { hasText: 'fw-01' }).textContent()).toContain('core-sw-01 (derived from the topology)');
    expect(await page.locator('table.links tbody tr[data-lost="true"]').textContent()).toContain('edge-rt-01 ge-0/0/0');
    expect(await page.locator('table.links tbody tr[data-lost="false"]').textContent()).toContain('1.0 Gbps');
    expect(await page.locator('svg img, svg script, section img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __owned?: number }).__owned)).toBeUndefined();
    await page.screenshot({ path: 'docs/console/topology.png', fullPage: true });
    await page.locator('svg g.node[data-id="fw-01"]').click();
    await settled(() => page.evaluate(() => location.hash), 15_000).toBe('#/devices/fw-01');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('locates a host by IP on its port, with the maker, and says what is wrong with a malformed MAC', async () => {
    const context = await browser.newContext({ extraHTTPHeaders: { authorization: `Bearer ${TOKENS.viewer}` } });
    const page = await context.newPage();
    await page.goto(`${server.url}/console/?lang=en#/topology`);
    await page.locator('input[name="locate"]').fill('10.0.20.5');
    await page.locator('section.locate button[type="submit"]').click();
    await settled(() => page.locator('dl.host dd.best').textContent(), 15_000).toContain(`core-sw-01 ${HOSTILE} VLAN 20 · edge port · 1 MACs on the port`);
    expect(await page.locator('dl.host dd.vendor').textContent()).toBe('Hangzhou H3C Technologies Co., Limited');
    expect(await page.locator('dl.host dd.mac').textContent()).toBe(MAC);
    expect(await page.locator('section.locate img').count()).toBe(0);
    await page.locator('input[name="locate"]').fill('aa:bb:cc:dd:ee');
    await page.locator('section.locate button[type="submit"]').click();
    await settled(() => page.locator('section.locate p.error').textContent(), 15_000).toMatch(/^querystring\.q: a MAC address .*not a valid MAC or IP address, got "aa:bb:cc:dd:ee"$/);
    await context.close();
  });

  it('speaks Chinese', async () => {
    const context = await browser.newContext({ extraHTTPHeaders: { authorization: `Bearer ${TOKENS.viewer}` } });
    const page = await context.newPage();
    await page.goto(`${server.url}/console/?lang=zh-CN#/topology`);
    await settled(() => page.locator('section h1').first().textContent(), 15_000).toBe('拓扑');
    await settled(() => page.locator('table.parents tbody tr', { hasText: 'fw-01' }).textContent(), 15_000).toContain('core-sw-01 (由拓扑推导)');
    expect(await page.locator('section.locate h2').textContent()).toBe('它接在哪里？');
    await context.close();
  });
});
