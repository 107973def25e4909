import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeTcpPort } from '../../src/lab/ports.js';
import { consoleApp, login, setCookies, type ConsoleApp } from './console-app.js';
import { IDP_ACCOUNTS, IdpBrowser, startOidcProvider, type OidcProviderInstance } from '../helpers/oidc-provider.js';

const REDIRECT = 'https://noctua.example.test/auth/oidc/callback';
let idp: OidcProviderInstance;
let c: ConsoleApp;

const oidcSettings = (issuer: string) => ({
  issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, redirectUrl: REDIRECT, allowInsecureHttp: true,
  groups: [
    { group: 'noc-operators', role: 'operator' },
    { group: 'noc-admins', role: 'admin' },
    { group: 'branch-shanghai', role: 'operator', sites: ['shanghai'] },
  ],
});
const pw = (u: string) => IDP_ACCOUNTS.find((a) => a.username === u)!.password;
/** Requests as the browser makes them to the public address in REDIRECT, behind a TLS-terminating proxy. */
const AT_HOME = { host: 'noctua.example.test', 'x-forwarded-proto': 'https' };
const cookieLine = (r: LightMyRequestResponse, name: string) => ([r.headers['set-cookie'] ?? []].flat() as string[]).find((l) => l.startsWith(`${name}=`));

/** Starts a login at Noctua, signs in at the provider, and returns the callback path and the state cookie. */
async function toCallback(user: string, next?: string): Promise<{ path: string; cookie: string; start: LightMyRequestResponse }> {
  const start = await c.app.inject({ url: `/auth/oidc/login${next ? `?next=${encodeURIComponent(next)}` : ''}`, headers: AT_HOME });
  expect(start.statusCode, start.body).toBe(302);
  const back = await new IdpBrowser(idp.issuer).signIn(new URL(start.headers.location as string), user, pw(user));
  return { path: `${back.pathname}${back.search}`, cookie: `noctua_oidc=${setCookies(start).noctua_oidc}`, start };
}

beforeAll(async () => {
  idp = await startOidcProvider({ redirectUri: REDIRECT });
  c = await consoleApp({ oidc: oidcSettings(idp.issuer) }, { trustProxy: true });
});
afterAll(async () => {
  await c?.app.close();
  await idp?.stop();
});

describe('single sign-on through the console routes and a real oidc-provider', () => {
  it('login → provider → callback opens a console session with the role from the groups claim, and audits it', async () => {
    const { path, cookie, start } = await toCallback('olivia', '/console/incidents?state=open');
    const state = cookieLine(start, 'noctua_oidc')!;
    expect(state).toMatch(/; Path=\/auth\/oidc\/; Max-Age=600; SameSite=Lax; HttpOnly/);
    expect(new URL(start.headers.location as string).searchParams.get('code_challenge_method')).toBe('S256');
    const cb = await c.app.inject({ url: path, headers: { cookie } });
    expect(cb.statusCode, cb.body).toBe(303);
    expect(cb.headers.location).toBe('/console/incidents?state=open');
    expect(cookieLine(cb, 'noctua_session')).toMatch(/; HttpOnly/);
    expect(cookieLine(cb, 'noctua_oidc')).toMatch(/Max-Age=0/);
    const s = setCookies(cb);
    const me = await c.app.inject({ url: '/api/v1/session', headers: { cookie: `noctua_session=${s.noctua_session}` } });
    expect(me.json()).toEqual({ name: 'olivia', role: 'operator', sites: null, via: 'session' });
    const rows = c.auth.audit.list({ action: 'login.success', who: 'olivia', limit: 10, offset: 0 });
    expect(rows.items[0]).toMatchObject({ who: 'olivia', via: 'session', detail: 'by oidc', route: '/auth/oidc/callback', outcome: 'ok' });
  });

  it('a branch group gives a session limited to its sites; an admin group gives admin', async () => {
    for (const [user, role, sites] of [['sam', 'operator', ['shanghai']], ['adam', 'admin', null]] as const) {
      const { path, cookie } = await toCallback(user);
      const cb = await c.app.inject({ url: path, headers: { cookie } });
      expect(cb.headers.location).toBe('/console/');
      const me = await c.app.inject({ url: '/api/v1/session', headers: { cookie: `noctua_session=${setCookies(cb).noctua_session}` } });
      expect(me.json(), user).toEqual({ name: user, role, sites, via: 'session' });
      const devices = (await c.app.inject({ url: '/api/v1/devices', headers: { cookie: `noctua_session=${setCookies(cb).noctua_session}` } })).json();
      if (sites) expect(devices.items.map((d: { name: string }) => d.name).sort(), user).toEqual(['branch-rt-01', 'branch-ups-01']);
      else expect(devices.total, user).toBeGreaterThan(2);
    }
  });

  it('a person in no mapped group gets a page that says why, in zh-CN and en, and no session', async () => {
    const { path, cookie } = await toCallback('nina');
    const cb = await c.app.inject({ url: path, headers: { cookie } });
    expect(cb.statusCode).toBe(403);
    expect(cb.headers['content-type']).toMatch(/text\/html/);
    expect(cb.body).toContain('您的账号没有 Noctua 角色');
    expect(cb.body).toContain('your account has no Noctua role');
    expect(cb.body).toContain('nina is in no group that auth.oidc.groups maps to a role');
    expect(cookieLine(cb, 'noctua_session')).toBeUndefined();
    expect(c.auth.audit.list({ action: 'login.failure', limit: 10, offset: 0 }).items.some((r) => r.detail?.startsWith('oidc refused: nina'))).toBe(true);
  });

  it('a tampered state, a missing state cookie and a replayed callback are refused with 400 and no session', async () => {
    const { path, cookie } = await toCallback('olivia');
    const tampered = path.replace(/state=([^&]+)/, (_m, s: string) => `state=${s.slice(0, -2)}xx`);
    for (const [what, r] of [
      ['tampered', await c.app.inject({ url: tampered, headers: { cookie } })],
      ['no cookie', await c.app.inject({ url: path })],
    ] as const) {
      expect(r.statusCode, what).toBe(400);
      expect(r.body, what).toContain('请重新登录');
      expect(cookieLine(r, 'noctua_session'), what).toBeUndefined();
    }
    expect((await c.app.inject({ url: path, headers: { cookie } })).statusCode).toBe(303);
    const replay = await c.app.inject({ url: path, headers: { cookie } });
    expect(replay.statusCode).toBe(400);
    expect(replay.body).toContain('this login was already completed');
    expect(cookieLine(replay, 'noctua_session')).toBeUndefined();
  });

  it('what the provider says is shown as text, never as markup', async () => {
    const start = await c.app.inject({ url: '/auth/oidc/login', headers: AT_HOME });
    const state = setCookies(start).noctua_oidc!;
    const q = new URLSearchParams({ error: 'access_denied', error_description: '<script>alert(1)</script><img src=x onerror=alert(2)>', state, iss: idp.issuer });
    const r = await c.app.inject({ url: `/auth/oidc/callback?${q}`, headers: { cookie: `noctua_oidc=${state}` } });
    expect(r.statusCode).toBe(403);
    expect(r.body).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(r.body).not.toMatch(/<script|<img/);
  });

  it('a login started on another address of this server first moves to the callback\'s origin, keeping `next`', async () => {
    for (const headers of [{ host: '10.0.0.5:8080' }, { host: 'noctua.example.test' }, { host: 'noctua.example.test', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.example' }]) {
      const r = await c.app.inject({ url: '/auth/oidc/login?next=%2Fconsole%2Fdevices', headers });
      expect(r.statusCode, JSON.stringify(headers)).toBe(302);
      expect(r.headers.location, JSON.stringify(headers)).toBe('https://noctua.example.test/auth/oidc/login?next=%2Fconsole%2Fdevices');
      expect(cookieLine(r, 'noctua_oidc'), JSON.stringify(headers)).toBeUndefined();
    }
  });

  it('a `next` that points at another site falls back to the console', async () => {
    const { path, cookie } = await toCallback('olivia', '//evil.example/phish');
    const cb = await c.app.inject({ url: path, headers: { cookie } });
    expect(cb.headers.location).toBe('/console/');
  });

  it('oversized callback parameters are refused before anything is checked', async () => {
    const r = await c.app.inject({ url: `/auth/oidc/callback?code=${'x'.repeat(10_000)}&state=s`, headers: { cookie: 'noctua_oidc=s' } });
    expect(r.statusCode).toBe(400);
  });
});

describe('single sign-on with the provider down', () => {
  let down: ConsoleApp;
  beforeAll(async () => {
    down = await consoleApp({ oidc: oidcSettings(`http://127.0.0.1:${await freeTcpPort()}`) }, { trustProxy: true });
  });
  afterAll(() => down?.app.close());

  it('the login page says the provider cannot be reached (503), and local logins still work', async () => {
    const r = await down.app.inject({ url: '/auth/oidc/login', headers: AT_HOME });
    expect(r.statusCode).toBe(503);
    expect(r.body).toContain('无法连接身份提供方');
    expect(r.body).toContain('sign in with a local account');
    expect(r.body).toMatch(/ECONNREFUSED/);
    expect((await login(down.app, 'olga')).status).toBe(200);
  });
});

describe('without auth.oidc', () => {
  it('the single sign-on routes do not exist', async () => {
    const plain = await consoleApp();
    try {
      expect((await plain.app.inject({ url: '/auth/oidc/login' })).statusCode).toBe(404);
    } finally { await plain.app.close(); }
  });
});
