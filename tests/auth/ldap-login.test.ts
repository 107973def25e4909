import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeTcpPort } from '../../src/lab/ports.js';
import { consoleApp, login, type ConsoleApp } from './console-app.js';
import { LDAP_BASE, LDAP_PEOPLE, LDAP_SERVICE, startSlapd, type SlapdInstance } from '../helpers/slapd.js';
import { tempDir } from '../helpers/tmp.js';

const tmp = tempDir('noctua-slapd-');
let slapd: SlapdInstance;
let c: ConsoleApp;
let down: ConsoleApp;

const ldapSettings = (url: string) => ({
  url,
  search: { bindDn: LDAP_SERVICE.dn, bindPassword: LDAP_SERVICE.password, base: `ou=people,${LDAP_BASE}` },
  memberOfAttribute: 'memberOf',
  connectTimeout: '2s',
  groups: [
    { group: 'noc-operators', role: 'operator' },
    { group: 'noc-admins', role: 'admin' },
    { group: 'branch-shanghai', role: 'operator', sites: ['shanghai'] },
  ],
});
const pw = (uid: string) => LDAP_PEOPLE.find((p) => p.uid === uid)!.password;
const post = (app: ConsoleApp, username: string, password: string) =>
  app.app.inject({ method: 'POST', url: '/api/v1/session', payload: { username, password } });

beforeAll(async () => {
  slapd = await startSlapd({ dir: tmp.dir });
  c = await consoleApp({ ldap: ldapSettings(slapd.url) });
  // The same settings aimed at a port nobody listens on: the directory is down.
  down = await consoleApp({ ldap: ldapSettings(`ldap://127.0.0.1:${await freeTcpPort()}`) });
}, 30_000);
afterAll(async () => {
  await c?.app.close();
  await down?.app.close();
  await slapd?.stop();
  tmp.cleanup();
});

describe('POST /api/v1/session with directory users (local users first, then LDAP)', () => {
  it('a directory user in the operators group gets an operator session; a branch user only the branch', async () => {
    const r = await post(c, 'alice', pw('alice'));
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toEqual({ name: 'alice', role: 'operator', sites: null, via: 'session' });
    expect((await post(c, 'dave', pw('dave'))).json()).toEqual({ name: 'dave', role: 'operator', sites: ['shanghai'], via: 'session' });
    const audit = c.auth.audit.list({ action: 'login.success', who: 'alice', limit: 5, offset: 0 });
    expect(audit.items[0]).toMatchObject({ detail: 'by ldap' });
  });

  it('the branch group\'s session sees only its site\'s devices', async () => {
    const r = await post(c, 'dave', pw('dave'));
    const cookie = (r.headers['set-cookie'] as string[]).map((l) => l.split(';')[0]).join('; ');
    const list = (await c.app.inject({ url: '/api/v1/devices', headers: { cookie } })).json();
    expect(list.items.map((d: { name: string }) => d.name).sort()).toEqual(['branch-rt-01', 'branch-ups-01']);
    expect((await c.app.inject({ url: '/api/v1/devices/fw-01', headers: { cookie } })).statusCode).toBe(404);
  });

  it('a directory user in no mapped group is refused with 403 and the reason', async () => {
    const r = await post(c, 'carol', pw('carol'));
    expect(r.statusCode).toBe(403);
    expect(r.json().message).toMatch(/login refused: carol is in no group that auth\.ldap\.groups maps to a role/);
  });

  it('a wrong password and an injected filter are the same 401 as an unknown user', async () => {
    for (const [user, password] of [['alice', 'wrong-password'], ['*', pw('alice')], ['*)(uid=*', pw('alice')], ['nobody-here', 'x1']]) {
      const r = await post(c, user!, password!);
      expect(r.statusCode, user).toBe(401);
      expect(r.json().message, user).toBe('wrong user name or password');
    }
  });

  it('a local user of the same name comes first: the directory\'s bob cannot log in as the local bob', async () => {
    // bob is a local operator of shanghai in the test app and a directory admin: the local account decides.
    expect((await post(c, 'bob', pw('bob'))).statusCode).toBe(401);
  });

  it('local users still log in beside the directory', async () => {
    expect((await login(c.app, 'olga')).status).toBe(200);
  });
});

describe('the directory down', () => {
  it('a directory user gets 503 (the login service is unavailable), and the audit says why', async () => {
    const r = await post(down, 'alice', pw('alice'));
    expect(r.statusCode).toBe(503);
    expect(r.json().message).toBe('the login service is unavailable; try again later');
    expect(down.auth.audit.list({ action: 'login.failure', limit: 5, offset: 0 }).items[0]).toMatchObject({ who: 'alice', detail: 'unavailable (ldap)' });
  });

  it('local users still log in', async () => {
    const l = await login(down.app, 'ada');
    expect(l.status).toBe(200);
    const me = await down.app.inject({ url: '/api/v1/session', headers: { cookie: l.cookie } });
    expect(me.json()).toMatchObject({ name: 'ada', role: 'admin' });
  });
});
