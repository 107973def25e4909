import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/auth/passwords.js';
import type { PagingService } from '../../src/api/services/index.js';
import { asConsole, consoleApp, login, PASSWORD, type ConsoleApp, type Login } from './console-app.js';

describe('a branch user sees and acts on its own sites only', () => {
  let c: ConsoleApp;
  let bob: Login;
  const failed = new Map([['n-hq', 'inc-hq'], ['n-sh', 'inc-sh']]);
  const retried: string[] = [];
  const paging = (): PagingService => {
    const none = () => { throw new Error('not used in these tests'); };
    return {
      outboxStats: () => ({ pending: 0, failed: failed.size, sent: 0 }),
      failedNotices: () => [...failed].map(([id, incidentId]) => ({ id, channel: 'eng', kind: 'page', incidentId, attempts: 5, createdAt: new Date(0), failedAt: new Date(0), reason: 'http 500' })),
      retryNotice: (id) => { retried.push(id); return failed.delete(id); },
      slaRecord: () => undefined, pauses: () => undefined,
      inspectLink: none, actWithLink: none, pauseClock: none, endPause: none, firstCallback: none, chatSettings: () => undefined, incidentNotices: () => [],
    };
  };
  beforeAll(async () => {
    const hash = await hashPassword(PASSWORD, { ln: 10, r: 8, p: 1 });
    c = await consoleApp({
      users: [
        { name: 'bob', role: 'operator', sites: ['shanghai'], passwordHash: hash },
        { name: 'ada', role: 'admin', passwordHash: hash },
        { name: 'sam', role: 'admin', sites: ['shanghai'], passwordHash: hash },
      ],
    }, {}, (services) => { services.paging = paging(); });
    c.noc.openIncident({ id: 'inc-hq', device: 'fw-01', severity: 'P1', title: 'fw-01 down' });
    c.noc.openIncident({ id: 'inc-sh', device: 'branch-rt-01', severity: 'P2', title: 'branch-rt-01 down' });
    c.noc.windows.push({ id: 'mw-hq', source: 'api', spec: { name: 'hq work', reason: 'hq', devices: ['core-sw-01'], start: '2026-11-23T07:00:00Z', end: '2026-11-23T12:00:00Z' } as never });
    bob = await login(c.app, 'bob');
  });
  afterAll(() => c.app.close());
  const get = (url: string, l = bob) => c.app.inject({ url, headers: { cookie: l.cookie } });
  const post = (url: string, payload?: object, l = bob) => c.app.inject({ method: 'POST', url, headers: asConsole(l), ...(payload ? { payload } : {}) });

  it('lists only the branch\'s devices, and a device of another site is 404', async () => {
    const list = (await get('/api/v1/devices')).json();
    expect(list.items.map((d: { name: string }) => d.name).sort()).toEqual(['branch-rt-01', 'branch-ups-01']);
    expect(list.total).toBe(2);
    expect((await get('/api/v1/devices/fw-01')).statusCode).toBe(404);
    expect((await get('/api/v1/devices/fw-01/series?measurement=icmp&field=rtt_avg_ms')).statusCode).toBe(404);
    expect((await get('/api/v1/devices/branch-rt-01')).statusCode).toBe(200);
    // Asking for the other site by name finds nothing, rather than leaking it.
    expect((await get('/api/v1/devices?site=hq')).json().total).toBe(0);
  });

  it('lists only the branch\'s incidents and alerts; another site\'s incident is 404 to read and to act on, and stays untouched', async () => {
    expect((await get('/api/v1/incidents')).json().items.map((i: { id: string }) => i.id)).toEqual(['inc-sh']);
    expect((await get('/api/v1/alerts')).json().items.map((a: { device: string }) => a.device)).toEqual(['branch-rt-01']);
    expect((await get('/api/v1/incidents/inc-hq')).statusCode).toBe(404);
    for (const verb of ['acknowledge', 'resolve', 'comment']) {
      const r = await post(`/api/v1/incidents/inc-hq/${verb}`, { note: 'not mine' });
      expect(r.statusCode).toBe(404);
      expect(r.json().message).toBe('incident "inc-hq" not found');
    }
    expect(c.noc.incidents.get('inc-hq')!.state).toBe('open');
    expect(c.noc.events.filter((e) => e.incident.id === 'inc-hq').map((e) => e.kind)).toEqual(['opened']);
    const ack = await post('/api/v1/incidents/inc-sh/acknowledge', { note: 'on site' });
    expect(ack.statusCode).toBe(200);
    expect(ack.json()).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'bob' });
  });

  it('shows only the branch on the wall', async () => {
    const wall = (await get('/api/v1/wall')).json();
    expect(wall.devices.map((d: { site: string }) => d.site)).toEqual(['shanghai', 'shanghai']);
    expect(wall.incidents.map((i: { id: string }) => i.id)).toEqual(['inc-sh']);
    expect(wall.counters.devicesTotal).toBe(2);
  });

  it('plans maintenance only for the branch: another site\'s device is unknown, a tag is refused; other windows are hidden', async () => {
    const other = await post('/api/v1/maintenance', { reason: 'x', devices: ['fw-01'], duration: '1h' });
    expect(other.statusCode).toBe(400);
    expect(other.json().issues[0].path).toBe('body.devices[0]');
    const otherSite = await post('/api/v1/maintenance', { reason: 'x', sites: ['hq'], duration: '1h' });
    expect(otherSite.statusCode).toBe(400);
    const tag = await post('/api/v1/maintenance', { reason: 'x', tags: ['wan'], duration: '1h' });
    expect(tag.statusCode).toBe(403);
    expect(tag.json().message).toContain('by tag reaches devices of every site');
    const mine = await post('/api/v1/maintenance', { reason: 'swap ups', sites: ['shanghai'], duration: '1h' });
    expect(mine.statusCode).toBe(201);
    const listed = (await get('/api/v1/maintenance')).json().items.map((w: { id: string }) => w.id);
    expect(listed).toEqual([mine.json().id]);
    expect((await post('/api/v1/maintenance/mw-hq/end')).statusCode).toBe(404);
    expect((await c.app.inject({ method: 'DELETE', url: '/api/v1/maintenance/mw-hq', headers: asConsole(bob) })).statusCode).toBe(404);
    expect(c.noc.windows.find((w) => w.id === 'mw-hq')!.spec.end).toBe('2026-11-23T12:00:00Z');
    expect((await post(`/api/v1/maintenance/${mine.json().id}/end`)).statusCode).toBe(200);
  });

  it('shows and retries only the branch\'s failed notices', async () => {
    const list = (await get('/api/v1/notices/failed')).json();
    expect(list.items.map((n: { id: string }) => n.id)).toEqual(['n-sh']);
    expect((await post('/api/v1/notices/n-hq/retry')).statusCode).toBe(404);
    expect(retried).toEqual([]);
    expect((await post('/api/v1/notices/n-sh/retry')).statusCode).toBe(202);
    expect(retried).toEqual(['n-sh']);
    expect((await get('/api/v1/incidents/inc-hq/pauses')).statusCode).toBe(404);
  });

  it('keeps admin routes (config, users, audit) for admins of every site', async () => {
    const sam = await login(c.app, 'sam');
    for (const [method, url] of [['POST', '/api/v1/config/reload'], ['GET', '/api/v1/users'], ['GET', '/api/v1/audit']] as const) {
      const r = await c.app.inject({ method, url, headers: asConsole(sam) });
      expect(r.statusCode).toBe(403);
      expect(r.json().message).toContain('admin of every site');
    }
    expect(c.noc.reloads).toEqual([]);
    const ada = await login(c.app, 'ada');
    expect((await c.app.inject({ url: '/api/v1/audit', headers: asConsole(ada) })).statusCode).toBe(200);
    expect((await c.app.inject({ url: '/api/v1/incidents/inc-hq', headers: asConsole(ada) })).statusCode).toBe(200);
  });
});
