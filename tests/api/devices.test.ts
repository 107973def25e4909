import { afterAll, describe, expect, it } from 'vitest';
import { appOver, bearer, T0 } from './memory-noc.js';

const { app, noc } = appOver();
afterAll(() => app.close());
const get = (url: string) => app.inject({ url, headers: bearer('viewer') });
const names = (body: { items: { name: string }[] }) => body.items.map((d) => d.name);

describe('GET /api/v1/devices', () => {
  it('lists every device with state, identity, site, class and open incident count, by site then name', async () => {
    noc.openIncident({ id: 'inc-fw', device: 'fw-01', severity: 'P2', title: 'fw-01 CPU high' });
    const r = await get('/api/v1/devices');
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body).toMatchObject({ total: 5, limit: 50, offset: 0 });
    expect(names(body)).toEqual(['core-sw-01', 'edge-rt-01', 'fw-01', 'branch-rt-01', 'branch-ups-01']);
    expect(body.items[2]).toMatchObject({ name: 'fw-01', address: '10.0.0.3', site: 'hq', class: 'firewall', vendor: 'huawei', state: 'up', openIncidents: 1, stateSince: T0.toISOString() });
  });

  it('filters by site, class, state, and by tags (every tag given must be carried)', async () => {
    expect(names((await get('/api/v1/devices?site=shanghai')).json())).toEqual(['branch-rt-01', 'branch-ups-01']);
    expect(names((await get('/api/v1/devices?class=router')).json())).toEqual(['edge-rt-01', 'branch-rt-01']);
    expect(names((await get('/api/v1/devices?class=router&class=ups&site=shanghai')).json())).toEqual(['branch-rt-01', 'branch-ups-01']);
    expect(names((await get('/api/v1/devices?tag=wan')).json())).toEqual(['edge-rt-01', 'branch-rt-01']);
    expect(names((await get('/api/v1/devices?tag=wan&tag=core')).json())).toEqual(['edge-rt-01']);
    noc.setDeviceState('branch-ups-01', 'down');
    noc.setDeviceState('fw-01', 'maintenance');
    expect(names((await get('/api/v1/devices?state=down&state=maintenance')).json())).toEqual(['fw-01', 'branch-ups-01']);
    noc.setDeviceState('branch-ups-01', 'up');
    noc.setDeviceState('fw-01', 'up');
  });

  it('pages with limit and offset and reports the total before paging', async () => {
    const p1 = (await get('/api/v1/devices?limit=2')).json();
    const p2 = (await get('/api/v1/devices?limit=2&offset=2')).json();
    const p3 = (await get('/api/v1/devices?limit=2&offset=4')).json();
    expect([p1.total, p2.total, p3.total]).toEqual([5, 5, 5]);
    expect([...names(p1), ...names(p2), ...names(p3)]).toEqual(['core-sw-01', 'edge-rt-01', 'fw-01', 'branch-rt-01', 'branch-ups-01']);
    expect(p3.items).toHaveLength(1);
  });

  it('answers a bad filter with 400 naming each field and what it expected', async () => {
    const r = await get('/api/v1/devices?state=broken&class=toaster&limit=999&offset=-1&colour=red');
    expect(r.statusCode).toBe(400);
    const issues = r.json().issues as { path: string; expected: string }[];
    expect(issues).toEqual(expect.arrayContaining([
      { path: 'querystring.state[0]', expected: 'one of up, down, unreachable, maintenance, unknown', got: '"broken"' },
      { path: 'querystring.class[0]', expected: expect.stringContaining('one of switch, router, firewall'), got: '"toaster"' },
      { path: 'querystring.limit', expected: 'a number <= 500', got: '999' },
      { path: 'querystring.offset', expected: 'a number >= 0', got: '-1' },
      { path: 'querystring.colour', expected: expect.stringContaining('no such field (expected one of: site, class, tag, state, limit, offset)') },
    ]));
    const notNumber = await get('/api/v1/devices?limit=ten');
    expect(notNumber.json().issues).toEqual([{ path: 'querystring.limit', expected: 'an integer', got: '"ten"' }]);
  });
});

describe('GET /api/v1/devices/:name', () => {
  it('shows the latest metrics, interfaces in ifIndex order and open alerts', async () => {
    noc.openIncident({ id: 'inc-sw', device: 'core-sw-01', severity: 'P3', title: 'GE0/0/1 down', rule: 'interface_down' });
    const r = await get('/api/v1/devices/core-sw-01');
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body.device).toMatchObject({ name: 'core-sw-01', openIncidents: 1 });
    expect(body.interfaces.map((i: { ifName: string }) => i.ifName)).toEqual(['GE0/0/1', 'GE0/0/2']);
    expect(body.interfaces[1]).toMatchObject({ ifIndex: '2', ifAlias: 'to fw-01', operUp: true, speedBps: 1_000_000_000, inBps: 2000.5 });
    expect(body.latest.find((s: { measurement: string }) => s.measurement === 'cpu')).toMatchObject({ fields: { load_pct: 12.5 }, tags: { cpu: '0' } });
    // Integer counters travel as JSON numbers, as in the JSON-lines contract.
    expect(body.latest.find((s: { tags: { ifIndex?: string } }) => s.tags.ifIndex === '1').fields.in_octets).toBe(12345);
    expect(body.openAlerts).toEqual([expect.objectContaining({ rule: 'interface_down', state: 'firing', incidentId: 'inc-sw' })]);
  });

  it('answers 404 for a device not in the inventory', async () => {
    const r = await get('/api/v1/devices/nope-01');
    expect(r.statusCode).toBe(404);
    expect(r.json().message).toBe('device "nope-01" not found');
  });
});

describe('GET /api/v1/devices/:name/series', () => {
  it('asks the metrics reader for the last hour with an automatic step by default', async () => {
    noc.seriesQueries.length = 0;
    const r = await get('/api/v1/devices/edge-rt-01/series?measurement=icmp&field=rtt_avg_ms');
    expect(r.statusCode).toBe(200);
    expect(noc.seriesQueries[0]).toMatchObject({ device: 'edge-rt-01', measurement: 'icmp', field: 'rtt_avg_ms', where: {}, stepMs: 12_000 });
    expect(noc.seriesQueries[0]!.to.toISOString()).toBe(T0.toISOString());
    expect(noc.seriesQueries[0]!.from.toISOString()).toBe('2026-11-23T07:00:00.000Z');
    expect(r.json().series[0].points).toHaveLength(300);
  });

  it('passes range, step and tag matches through', async () => {
    noc.seriesQueries.length = 0;
    const r = await get('/api/v1/devices/core-sw-01/series?measurement=interface&field=in_bps&from=2026-11-22T08:00:00Z&to=2026-11-23T08:00:00%2B08:00&step=5m&where=ifName%3DGE0%2F0%2F1');
    expect(r.statusCode).toBe(200);
    expect(noc.seriesQueries[0]).toMatchObject({ where: { ifName: 'GE0/0/1' }, stepMs: 300_000 });
    expect(noc.seriesQueries[0]!.to.toISOString()).toBe('2026-11-23T00:00:00.000Z');
    expect(r.json()).toMatchObject({ stepMs: 300_000, series: [{ tags: { device: 'core-sw-01', ifName: 'GE0/0/1' } }] });
  });

  it('refuses a reversed range, a bad step, too many points and unsafe names with 400 and the field path', async () => {
    const reversed = await get('/api/v1/devices/core-sw-01/series?measurement=icmp&field=up&from=2026-11-23T09:00:00Z&to=2026-11-23T08:00:00Z');
    expect(reversed.json().issues).toEqual([expect.objectContaining({ path: 'querystring.from', expected: expect.stringContaining('a time before "to"') })]);
    const step = await get('/api/v1/devices/core-sw-01/series?measurement=icmp&field=up&step=fast');
    expect(step.json().issues).toEqual([expect.objectContaining({ path: 'querystring.step', expected: expect.stringContaining('a duration of at least 1s') })]);
    const dense = await get('/api/v1/devices/core-sw-01/series?measurement=icmp&field=up&from=2026-10-23T08:00:00Z&step=1s');
    expect(dense.json().issues).toEqual([expect.objectContaining({ path: 'querystring.step', expected: 'at least 536s for this range (at most 5000 points)' })]);
    const inject = await get('/api/v1/devices/core-sw-01/series?measurement=icmp%22%3B%20DROP&field=up');
    expect(inject.statusCode).toBe(400);
    expect(inject.json().issues[0]).toMatchObject({ path: 'querystring.measurement', expected: expect.stringContaining('text matching') });
    const missing = await get('/api/v1/devices/core-sw-01/series?field=up&from=yesterday');
    expect(missing.json().issues).toEqual(expect.arrayContaining([
      { path: 'querystring.measurement', expected: 'a value (this field is required)' },
      { path: 'querystring.from', expected: 'an RFC 3339 date-time such as 2026-11-23T08:00:00Z', got: '"yesterday"' },
    ]));
  });

  it('answers 404 for an unknown device before querying storage', async () => {
    noc.seriesQueries.length = 0;
    expect((await get('/api/v1/devices/ghost/series?measurement=icmp&field=up')).statusCode).toBe(404);
    expect(noc.seriesQueries).toEqual([]);
  });
});
