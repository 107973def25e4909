import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { buildApp } from '../../src/api/app.js';
import { pruneAuth } from '../../src/auth/runtime.js';
import type { PagingService } from '../../src/api/services/index.js';
import { apiSettings, bearer } from '../api/memory-noc.js';
import { asConsole, consoleApp, login, PASSWORD, type ConsoleApp, type Login } from './console-app.js';

interface Row { id: number; who: string; via: string; action: string; target?: string; outcome: string; status: number; address: string; before?: Record<string, unknown>; after?: Record<string, unknown>; detail?: string; at: string }

/** Failed notices and retries, enough for the retry route. */
function pagingOf(failed: Set<string>): PagingService {
  const none = () => { throw new Error('not used in these tests'); };
  return {
    outboxStats: () => ({ pending: 0, failed: failed.size, sent: 0 }),
    failedNotices: () => [...failed].map((id) => ({ id, channel: 'eng', kind: 'page', incidentId: 'inc-1', attempts: 5, createdAt: new Date(0), failedAt: new Date(0), reason: 'http 500' })),
    retryNotice: (id) => failed.delete(id),
    slaRecord: () => undefined, pauses: () => undefined,
    inspectLink: none, actWithLink: none, pauseClock: none, endPause: none, firstCallback: none, chatSettings: () => undefined, incidentNotices: () => [],
  };
}

describe('audit trail', () => {
  let c: ConsoleApp;
  let ada: Login;
  let olga: Login;
  const failed = new Set(['n-1']);
  beforeAll(async () => {
    c = await consoleApp({}, {}, (s) => { s.paging = pagingOf(failed); });
    c.noc.openIncident({ id: 'inc-1', device: 'fw-01', severity: 'P1', title: 'fw-01 down' });
    olga = await login(c.app, 'olga', PASSWORD, '10.1.1.1');
    ada = await login(c.app, 'ada');
  });
  afterAll(() => c.app.close());

  const audit = async (query = ''): Promise<{ total: number; items: Row[] }> => {
    const r = await c.app.inject({ url: `/api/v1/audit${query}`, headers: { cookie: ada.cookie } });
    expect(r.statusCode).toBe(200);
    return r.json();
  };
  const latest = async (action: string): Promise<Row> => (await audit(`?action=${action}&limit=1`)).items[0]!;
  const act = (url: string, l: Login, payload?: object, remoteAddress = '10.1.1.1') =>
    c.app.inject({ method: 'POST', url, headers: asConsole(l), remoteAddress, ...(payload ? { payload } : {}) });

  it('records logins, failed logins and logouts with who, address and via', async () => {
    expect((await latest('login.success'))).toMatchObject({ who: 'ada', via: 'session', target: 'user:ada', outcome: 'ok' });
    const olgaLogin = (await audit('?action=login.success&who=olga')).items[0]!;
    expect(olgaLogin).toMatchObject({ address: '10.1.1.1', via: 'session', status: 200 });
    await c.app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: 'olga', password: 'wrong-pass' }, remoteAddress: '10.2.2.2' });
    expect(await latest('login.failure')).toMatchObject({ who: 'olga', via: 'anonymous', address: '10.2.2.2', outcome: 'refused', status: 401, detail: 'bad-password (local)' });
    const tmp = await login(c.app, 'vera');
    await c.app.inject({ method: 'DELETE', url: '/api/v1/session', headers: asConsole(tmp) });
    expect(await latest('logout')).toMatchObject({ who: 'vera', via: 'session', outcome: 'ok', status: 204 });
  });

  it('records acknowledge, unacknowledge, comment and resolve with the incident state before and after', async () => {
    await act('/api/v1/incidents/inc-1/acknowledge', olga, { note: 'looking' });
    expect(await latest('incident.acknowledge')).toMatchObject({
      who: 'olga', via: 'session', target: 'incident:inc-1', outcome: 'ok', detail: 'looking',
      before: { state: 'open', acknowledgedBy: null }, after: { state: 'acknowledged', acknowledgedBy: 'olga' },
    });
    await act('/api/v1/incidents/inc-1/unacknowledge', olga);
    expect(await latest('incident.unacknowledge')).toMatchObject({ before: { state: 'acknowledged' }, after: { state: 'open', acknowledgedBy: null } });
    await c.app.inject({ method: 'POST', url: '/api/v1/incidents/inc-1/comment', headers: bearer('operator'), payload: { note: '<script>alert(1)</script>' } });
    expect(await latest('incident.comment')).toMatchObject({ who: 'alice', via: 'token', detail: '<script>alert(1)</script>' });
    await act('/api/v1/incidents/inc-1/resolve', olga);
    const resolved = await latest('incident.resolve');
    expect(resolved.before).toMatchObject({ state: 'open', resolvedAt: null });
    expect(resolved.after).toMatchObject({ state: 'resolved', resolvedAt: expect.any(String) });
  });

  it('records maintenance created and ended, config reload and notice retry', async () => {
    const mw = await act('/api/v1/maintenance', olga, { reason: 'swap psu', devices: ['fw-01'], duration: '2h' });
    expect(mw.statusCode).toBe(201);
    const id = mw.json().id as string;
    expect(await latest('maintenance.create')).toMatchObject({ who: 'olga', target: `maintenance:${id}`, after: { reason: 'swap psu', devices: ['fw-01'] } });
    c.clock.t += 60_000;
    await act(`/api/v1/maintenance/${id}/end`, olga);
    const ended = await latest('maintenance.end');
    expect(ended.before).toMatchObject({ active: true, endsAt: '2026-11-23T10:00:00.000Z' });
    expect(ended.after).toMatchObject({ active: false, endsAt: '2026-11-23T08:01:00.000Z', endedEarlyBy: 'olga' });
    await act('/api/v1/config/reload', ada);
    expect(await latest('config.reload')).toMatchObject({ who: 'ada', target: 'config', after: { ok: true, devices: 5 } });
    await act('/api/v1/notices/n-1/retry', olga);
    expect(await latest('notice.retry')).toMatchObject({ who: 'olga', target: 'notice:n-1', before: { status: 'failed' }, after: { status: 'pending' }, status: 202 });
  });

  it('records refused requests too: a forged console POST without the CSRF header, a viewer\'s POST', async () => {
    await c.app.inject({ method: 'POST', url: '/api/v1/incidents/inc-1/comment', headers: { cookie: olga.cookie }, payload: { note: 'forged' } });
    const vera = await login(c.app, 'vera');
    await c.app.inject({ method: 'POST', url: '/api/v1/incidents/inc-1/comment', headers: asConsole(vera), payload: { note: 'viewer' } });
    const refused = (await audit('?action=incident.comment')).items.filter((r) => r.outcome === 'refused');
    expect(refused.map((r) => [r.who, r.status])).toEqual([['vera', 403], ['olga', 403]]);
  });

  it('records user changes with the fields before and after, never a password hash', async () => {
    const add = await act('/api/v1/users', ada, { name: 'li.na', password: 'a long password', role: 'viewer', sites: ['shanghai'] });
    expect(add.statusCode).toBe(201);
    expect(add.json()).toMatchObject({ name: 'li.na', role: 'viewer', sites: ['shanghai'], disabled: false, source: 'database' });
    await c.app.inject({ method: 'PATCH', url: '/api/v1/users/li.na', headers: asConsole(ada), payload: { role: 'operator', sites: null, password: 'another password' } });
    const change = await latest('user.change');
    expect(change).toMatchObject({
      who: 'ada', target: 'user:li.na',
      before: { role: 'viewer', sites: ['shanghai'], disabled: false }, after: { role: 'operator', sites: null, passwordChanged: true },
    });
    await c.app.inject({ method: 'DELETE', url: '/api/v1/users/li.na', headers: asConsole(ada) });
    expect(await latest('user.remove')).toMatchObject({ target: 'user:li.na', before: { role: 'operator' } });
    const everything = JSON.stringify((await audit('?limit=500')).items);
    expect(everything).not.toContain('$scrypt');
    expect(everything).not.toContain('a long password');
    expect(everything).not.toContain('another password');
    expect(everything).not.toContain(PASSWORD);
  });

  it('filters by who, action and time, pages, and is for admins of every site only', async () => {
    const all = await audit('?limit=500');
    expect(all.total).toBeGreaterThan(10);
    const page = await audit('?limit=2&offset=1');
    expect(page.items.map((r) => r.id)).toEqual(all.items.slice(1, 3).map((r) => r.id));
    expect((await audit('?who=olga&limit=500')).items.every((r) => r.who === 'olga')).toBe(true);
    const at = new Date(c.clock.t).toISOString();
    expect((await audit(`?until=${encodeURIComponent(at)}&limit=500`)).items.every((r) => r.at < at)).toBe(true);
    expect((await audit(`?since=${encodeURIComponent(at)}&limit=500`)).items.every((r) => r.at >= at)).toBe(true);
    const bad = await c.app.inject({ url: `/api/v1/audit?since=${encodeURIComponent(at)}&until=2020-01-01T00:00:00Z`, headers: { cookie: ada.cookie } });
    expect(bad.statusCode).toBe(400);
    expect((await c.app.inject({ url: '/api/v1/audit', headers: { cookie: olga.cookie } })).statusCode).toBe(403);
    expect((await c.app.inject({ url: '/api/v1/audit', headers: bearer('operator') })).statusCode).toBe(403);
    expect((await c.app.inject({ url: '/api/v1/audit', headers: bearer('admin') })).statusCode).toBe(200);
  });

  it('offers no way to change or delete a row, through the API or the database', async () => {
    const before = await audit('?limit=500');
    const id = before.items[0]!.id;
    for (const method of ['PUT', 'PATCH', 'DELETE', 'POST'] as const) {
      for (const url of ['/api/v1/audit', `/api/v1/audit/${id}`]) {
        const r = await c.app.inject({ method, url, headers: { ...asConsole(ada), ...bearer('admin') }, payload: { who: 'nobody' } });
        expect(r.statusCode).toBe(404);
      }
    }
    expect(() => c.db.prepare('UPDATE audit_log SET who = ? WHERE id = ?').run('nobody', id)).toThrow('audit rows are never changed');
    const after = await audit('?limit=500');
    expect(after.items.filter((r) => r.id <= id)).toEqual(before.items);
  });

  it('prunes rows past auth.audit.retention, and does so when the app starts', async () => {
    const n = (await audit('?limit=1')).total;
    expect(pruneAuth(c.auth, new Date(c.clock.t + 364 * 86_400_000)).auditRows).toBe(0);
    expect(pruneAuth(c.auth, new Date(c.clock.t + 366 * 86_400_000)).auditRows).toBe(n);
    c.auth.audit.record({ at: new Date(0), who: 'old', via: 'token', address: '-', action: 'x', method: 'POST', route: '/x', status: 200, outcome: 'ok' });
    const again = buildApp({ settings: apiSettings(), services: c.noc.services(), log: pino({ level: 'silent' }), now: () => new Date(c.clock.t), auth: c.auth });
    await again.ready();
    expect(c.auth.audit.list({ who: 'old', limit: 10, offset: 0 }).total).toBe(0);
    await again.close();
  });
});
