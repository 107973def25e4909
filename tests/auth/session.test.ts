import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asConsole, consoleApp, login, PASSWORD, setCookies, type ConsoleApp } from './console-app.js';
import { bearer } from '../api/memory-noc.js';

describe('console login with local users', () => {
  let c: ConsoleApp;
  beforeAll(async () => { c = await consoleApp(); });
  afterAll(() => c.app.close());

  it('logs in with the right password: 200 with name, role and sites, and both cookies', async () => {
    const r = await c.app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: 'olga', password: PASSWORD } });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ name: 'olga', role: 'operator', sites: null, via: 'session' });
    const lines = r.headers['set-cookie'] as string[];
    const session = lines.find((l) => l.startsWith('noctua_session='))!;
    const csrf = lines.find((l) => l.startsWith('noctua_csrf='))!;
    expect(session).toMatch(/; HttpOnly/);
    expect(session).toMatch(/; SameSite=Lax/);
    expect(session).toMatch(/; Max-Age=43200/);
    expect(session).not.toMatch(/Secure/);
    expect(csrf).not.toMatch(/HttpOnly/);
    expect(setCookies(r).noctua_session).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('answers GET /session with the person, and 401 without a login', async () => {
    const l = await login(c.app, 'bob');
    const me = await c.app.inject({ url: '/api/v1/session', headers: { cookie: l.cookie } });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toEqual({ name: 'bob', role: 'operator', sites: ['shanghai'], via: 'session' });
    const nobody = await c.app.inject({ url: '/api/v1/session' });
    expect(nobody.statusCode).toBe(401);
    const token = await c.app.inject({ url: '/api/v1/session', headers: bearer('operator') });
    expect(token.json()).toEqual({ name: 'alice', role: 'operator', sites: null, via: 'token' });
  });

  it('refuses a wrong password and an unknown user with the same 401 message', async () => {
    const bad = await c.app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: 'vera', password: 'nope-nope' } });
    const unknown = await c.app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: 'nobody', password: 'nope-nope' } });
    expect(bad.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(bad.json().message).toBe('wrong user name or password');
    expect(unknown.json().message).toBe(bad.json().message);
    expect(bad.headers['set-cookie']).toBeUndefined();
  });

  it('refuses a disabled account only once its password is right', async () => {
    expect((await c.app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: 'dan', password: 'wrong-wrong' } })).statusCode).toBe(401);
    const r = await c.app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: 'dan', password: PASSWORD } });
    expect(r.statusCode).toBe(403);
    expect(r.json().message).toContain('disabled');
  });

  it('gives a new session id at every login and ends the one presented', async () => {
    const first = await login(c.app, 'vera');
    const r = await c.app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: 'vera', password: PASSWORD }, headers: { cookie: first.cookie } });
    const second = setCookies(r).noctua_session!;
    expect(first.cookie).not.toContain(second);
    expect((await c.app.inject({ url: '/api/v1/session', headers: { cookie: first.cookie } })).statusCode).toBe(401);
    expect((await c.app.inject({ url: '/api/v1/session', headers: { cookie: `noctua_session=${second}` } })).statusCode).toBe(200);
  });

  it('logs out: the session ends, cookies are cleared, and the old cookie no longer works', async () => {
    const l = await login(c.app, 'olga');
    const out = await c.app.inject({ method: 'DELETE', url: '/api/v1/session', headers: asConsole(l) });
    expect(out.statusCode).toBe(204);
    expect((out.headers['set-cookie'] as string[]).every((x) => x.includes('Max-Age=0'))).toBe(true);
    const after = await c.app.inject({ url: '/api/v1/devices', headers: { cookie: l.cookie } });
    expect(after.statusCode).toBe(401);
    expect(after.json().message).toBe('your login has expired or ended; log in again');
  });

  it('ends a session after the idle timeout and after maxAge however busy', async () => {
    const l = await login(c.app, 'olga');
    c.clock.t += 2 * 3_600_000 - 1000;
    expect((await c.app.inject({ url: '/api/v1/devices', headers: { cookie: l.cookie } })).statusCode).toBe(200);
    c.clock.t += 2 * 3_600_000 + 1;
    expect((await c.app.inject({ url: '/api/v1/devices', headers: { cookie: l.cookie } })).statusCode).toBe(401);
    const busy = await login(c.app, 'olga');
    for (let h = 0; h < 12; h++) {
      c.clock.t += 3_600_000;
      const r = await c.app.inject({ url: '/api/v1/devices', headers: { cookie: busy.cookie } });
      expect(r.statusCode).toBe(h < 11 ? 200 : 401);
    }
  });
});

describe('CSRF protection of console requests', () => {
  let c: ConsoleApp;
  beforeAll(async () => {
    c = await consoleApp();
    c.noc.openIncident({ id: 'inc-1', device: 'fw-01', severity: 'P1', title: 'fw-01 down' });
  });
  afterAll(() => c.app.close());

  it('refuses a state-changing console request without the header or with a wrong one (403), and changes nothing', async () => {
    const l = await login(c.app, 'olga');
    const none = await c.app.inject({ method: 'POST', url: '/api/v1/incidents/inc-1/acknowledge', headers: { cookie: l.cookie } });
    expect(none.statusCode).toBe(403);
    expect(none.json().message).toContain('x-csrf-token');
    const wrong = await c.app.inject({ method: 'POST', url: '/api/v1/incidents/inc-1/acknowledge', headers: { cookie: l.cookie, 'x-csrf-token': 'x'.repeat(l.csrf.length) } });
    expect(wrong.statusCode).toBe(403);
    // Another session's token is as wrong as a made-up one.
    const other = await login(c.app, 'ada');
    const crossed = await c.app.inject({ method: 'POST', url: '/api/v1/incidents/inc-1/acknowledge', headers: { cookie: l.cookie, 'x-csrf-token': other.csrf } });
    expect(crossed.statusCode).toBe(403);
    expect(c.noc.incidents.get('inc-1')!.state).toBe('open');
  });

  it('lets it through with the right header, under the person\'s name', async () => {
    const l = await login(c.app, 'olga');
    const r = await c.app.inject({ method: 'POST', url: '/api/v1/incidents/inc-1/acknowledge', headers: asConsole(l) });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'olga' });
  });

  it('needs no header for reads, nor for bearer-token requests', async () => {
    const l = await login(c.app, 'vera');
    expect((await c.app.inject({ url: '/api/v1/incidents', headers: { cookie: l.cookie } })).statusCode).toBe(200);
    const r = await c.app.inject({ method: 'POST', url: '/api/v1/incidents/inc-1/comment', headers: { ...bearer('operator'), cookie: l.cookie }, payload: { note: 'by token' } });
    expect(r.statusCode).toBe(200);
  });

  it('refuses a viewer\'s POST with 403 even with the right CSRF header', async () => {
    const l = await login(c.app, 'vera');
    const r = await c.app.inject({ method: 'POST', url: '/api/v1/incidents/inc-1/resolve', headers: asConsole(l) });
    expect(r.statusCode).toBe(403);
    expect(r.json().message).toBe('role viewer may not do this; it needs operator');
    expect(c.noc.incidents.get('inc-1')!.state).toBe('acknowledged');
  });
});
