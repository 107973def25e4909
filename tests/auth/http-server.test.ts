import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServer } from '../../src/api/server.js';
import { hashPassword } from '../../src/auth/passwords.js';
import { createAuth } from '../../src/auth/runtime.js';
import { authSectionSchema } from '../../src/config/sections/auth.js';
import { openStateDb } from '../../src/core/database.js';
import { apiSettings, MemoryNoc } from '../api/memory-noc.js';
import { PASSWORD } from './console-app.js';

/** The cookies of a real response: name to the whole Set-Cookie line. */
function cookieLines(r: Response): Record<string, string> {
  return Object.fromEntries(r.headers.getSetCookie().map((l) => [l.slice(0, l.indexOf('=')), l]));
}
function value(line: string): string {
  return line.slice(line.indexOf('=') + 1, line.indexOf(';'));
}

describe('console sessions over a real HTTP server', () => {
  let server: ApiServer;
  const noc = new MemoryNoc(() => new Date());

  beforeAll(async () => {
    const hash = await hashPassword(PASSWORD, { ln: 10, r: 8, p: 1 });
    const auth = createAuth({
      settings: authSectionSchema.parse({ users: [{ name: 'olga', role: 'operator', passwordHash: hash }, { name: 'bob', role: 'viewer', sites: ['shanghai'], passwordHash: hash }] }),
      db: openStateDb('', ':memory:'),
    });
    noc.openIncident({ id: 'inc-1', device: 'fw-01', severity: 'P1', title: 'fw-01 down' });
    // trustProxy: a TLS-terminating proxy on loopback says the browser came over https.
    server = await startApiServer({
      settings: apiSettings({ host: '127.0.0.1', port: 0, trustProxy: ['127.0.0.1'], wall: { heartbeat: 60_000, staleAfter: 60_000 } }),
      services: noc.services(), log: pino({ level: 'silent' }), auth,
    });
  });
  afterAll(() => server.close());

  const loginOver = (username: string, headers: Record<string, string> = {}) => fetch(`${server.url}/api/v1/session`, {
    method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ username, password: PASSWORD }),
  });

  it('sets cookies without Secure over plain http, and with Secure when the proxy says the request came over TLS', async () => {
    const plain = cookieLines(await loginOver('olga'));
    expect(plain.noctua_session).toMatch(/HttpOnly/);
    expect(plain.noctua_session).not.toMatch(/Secure/);
    expect(plain.noctua_csrf).not.toMatch(/HttpOnly|Secure/);
    const tls = cookieLines(await loginOver('olga', { 'x-forwarded-proto': 'https' }));
    expect(tls.noctua_session).toMatch(/; HttpOnly; Secure$/);
    expect(tls.noctua_csrf).toMatch(/; Secure$/);
  });

  it('acts with the cookie and CSRF header as a browser sends them, and refuses without the header', async () => {
    const c = cookieLines(await loginOver('olga'));
    const cookie = `noctua_session=${value(c.noctua_session!)}; noctua_csrf=${value(c.noctua_csrf!)}`;
    const me = await fetch(`${server.url}/api/v1/session`, { headers: { cookie } });
    expect(await me.json()).toEqual({ name: 'olga', role: 'operator', sites: null, via: 'session' });
    const forged = await fetch(`${server.url}/api/v1/incidents/inc-1/acknowledge`, { method: 'POST', headers: { cookie } });
    expect(forged.status).toBe(403);
    const ok = await fetch(`${server.url}/api/v1/incidents/inc-1/acknowledge`, { method: 'POST', headers: { cookie, 'x-csrf-token': value(c.noctua_csrf!) } });
    expect(ok.status).toBe(200);
    expect((await ok.json()).acknowledgedBy).toBe('olga');
    const out = await fetch(`${server.url}/api/v1/session`, { method: 'DELETE', headers: { cookie, 'x-csrf-token': value(c.noctua_csrf!) } });
    expect(out.status).toBe(204);
    expect((await fetch(`${server.url}/api/v1/session`, { headers: { cookie } })).status).toBe(401);
  });

  it('streams only the branch\'s device and incident events to a branch user', async () => {
    const c = cookieLines(await loginOver('bob'));
    const res = await fetch(`${server.url}/api/v1/stream`, { headers: { cookie: `noctua_session=${value(c.noctua_session!)}` } });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    // The stream is open once its first status beat arrives; only then are changes sent to it.
    const readUntil = async (needle: string, ms = 5000) => {
      const deadline = Date.now() + ms;
      while (!text.includes(needle)) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no ${needle} on the stream within ${ms}ms`);
        const chunk = await Promise.race([reader.read(), new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), left))]);
        if (chunk === 'timeout') continue;
        if (chunk.done) throw new Error('stream ended');
        text += decoder.decode(chunk.value, { stream: true });
      }
    };
    await readUntil('event: status');
    noc.setDeviceState('core-sw-01', 'down');
    noc.openIncident({ id: 'inc-hq-2', device: 'core-sw-01', severity: 'P1', title: 'core down' });
    noc.setDeviceState('branch-ups-01', 'down');
    noc.openIncident({ id: 'inc-sh-2', device: 'branch-ups-01', severity: 'P2', title: 'ups down' });
    await readUntil('"inc-sh-2"');
    await reader.cancel();
    expect(text).toContain('"branch-ups-01"');
    expect(text).not.toContain('core-sw-01');
    expect(text).not.toContain('inc-hq-2');
  });
});
