import { pino } from 'pino';
import { buildApp } from '../../src/api/app.js';
import { hashPassword } from '../../src/auth/passwords.js';
import { createAuth } from '../../src/auth/runtime.js';
import { authSectionSchema } from '../../src/config/sections/auth.js';
import { openStateDb } from '../../src/core/database.js';
import { apiSettings, MemoryNoc } from '../api/memory-noc.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asConsole, consoleApp, login, PASSWORD, type ConsoleApp, type Login } from './console-app.js';

describe('users managed by admins through /api/v1/users', () => {
  let c: ConsoleApp;
  let ada: Login;
  beforeAll(async () => {
    c = await consoleApp();
    ada = await login(c.app, 'ada');
  });
  afterAll(() => c.app.close());
  const call = (method: 'POST' | 'PATCH' | 'DELETE' | 'GET', url: string, payload?: object, l = ada) =>
    c.app.inject({ method, url, headers: asConsole(l), ...(payload ? { payload } : {}) });

  it('adds a user who can then log in with the role and sites given', async () => {
    const r = await call('POST', '/api/v1/users', { name: 'wang.lei', password: 'night shift 42', role: 'operator', sites: ['shanghai'] });
    expect(r.statusCode).toBe(201);
    const l = await login(c.app, 'wang.lei', 'night shift 42');
    expect(l.status).toBe(200);
    const me = await c.app.inject({ url: '/api/v1/session', headers: { cookie: l.cookie } });
    expect(me.json()).toEqual({ name: 'wang.lei', role: 'operator', sites: ['shanghai'], via: 'session' });
    const list = (await call('GET', '/api/v1/users')).json().items;
    expect(list.map((u: { name: string }) => u.name)).toEqual(['vera', 'olga', 'ada', 'bob', 'dan', 'wang.lei']);
    expect(JSON.stringify(list)).not.toContain('scrypt');
  });

  it('refuses a taken name (409), an unknown site (400 naming it), a short password and an unknown field (400)', async () => {
    expect((await call('POST', '/api/v1/users', { name: 'olga', password: 'long enough', role: 'viewer' })).statusCode).toBe(409);
    expect((await call('POST', '/api/v1/users', { name: 'wang.lei', password: 'long enough', role: 'viewer' })).statusCode).toBe(409);
    const site = await call('POST', '/api/v1/users', { name: 'x1', password: 'long enough', role: 'viewer', sites: ['hq', 'atlantis'] });
    expect(site.statusCode).toBe(400);
    expect(site.json().issues).toEqual([expect.objectContaining({ path: 'body.sites[1]', got: '"atlantis"' })]);
    const short = await call('POST', '/api/v1/users', { name: 'x2', password: 'short', role: 'viewer' });
    expect(short.json().issues[0]).toMatchObject({ path: 'body.password', expected: 'at least 8 characters' });
    const extra = await call('POST', '/api/v1/users', { name: 'x3', password: 'long enough', role: 'viewer', passwordHash: '$scrypt$' });
    expect(extra.json().issues[0].path).toBe('body.passwordHash');
    const ctrl = await call('POST', '/api/v1/users', { name: 'bad\nname', password: 'long enough', role: 'viewer' });
    expect(ctrl.json().issues[0].path).toBe('body.name');
  });

  it('ends a user\'s sessions when an admin changes them, and applies the new role at the next login', async () => {
    const before = await login(c.app, 'wang.lei', 'night shift 42');
    const r = await call('PATCH', '/api/v1/users/wang.lei', { role: 'viewer', sites: null });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ role: 'viewer', sites: null });
    expect((await c.app.inject({ url: '/api/v1/session', headers: { cookie: before.cookie } })).statusCode).toBe(401);
    const after = await login(c.app, 'wang.lei', 'night shift 42');
    expect((await c.app.inject({ url: '/api/v1/session', headers: { cookie: after.cookie } })).json()).toMatchObject({ role: 'viewer', sites: null });
  });

  it('disables a user (login refused with 403) and removes one (login 401)', async () => {
    expect((await call('PATCH', '/api/v1/users/wang.lei', { disabled: true })).statusCode).toBe(200);
    expect((await login(c.app, 'wang.lei', 'night shift 42')).status).toBe(403);
    expect((await call('DELETE', '/api/v1/users/wang.lei')).statusCode).toBe(204);
    expect((await login(c.app, 'wang.lei', 'night shift 42')).status).toBe(401);
    expect((await call('DELETE', '/api/v1/users/wang.lei')).statusCode).toBe(404);
  });

  it('leaves users from noctua.yaml to the file (409), and users to admins (403 for operators)', async () => {
    const r = await call('PATCH', '/api/v1/users/olga', { role: 'admin' });
    expect(r.statusCode).toBe(409);
    expect(r.json().message).toContain('noctua.yaml');
    expect((await call('DELETE', '/api/v1/users/olga')).statusCode).toBe(409);
    const olga = await login(c.app, 'olga');
    expect((await call('POST', '/api/v1/users', { name: 'sneaky', password: PASSWORD, role: 'admin' }, olga)).statusCode).toBe(403);
    expect((await call('GET', '/api/v1/users', undefined, olga)).statusCode).toBe(403);
  });
});

describe('sessions follow the account they were opened for', () => {
  it('ends a local user\'s session once noctua.yaml (after a reload) removes, disables or re-roles them', async () => {
    const hash = await hashPassword(PASSWORD, { ln: 10, r: 8, p: 1 });
    const settings = authSectionSchema.parse({ users: [{ name: 'kim', role: 'operator', passwordHash: hash }, { name: 'lee', role: 'operator', passwordHash: hash }, { name: 'max', role: 'operator', passwordHash: hash }] });
    let current = settings.users;
    const auth = createAuth({ settings, db: openStateDb('', ':memory:'), configUsers: () => current });
    const noc = new MemoryNoc();
    const app = buildApp({ settings: apiSettings(), services: noc.services(), log: pino({ level: 'silent' }), now: () => noc.now(), auth });
    const [kim, lee, max] = [await login(app, 'kim'), await login(app, 'lee'), await login(app, 'max')];
    const me = (l: Login) => app.inject({ url: '/api/v1/session', headers: { cookie: l.cookie } });
    for (const l of [kim, lee, max]) expect((await me(l)).statusCode).toBe(200);
    // A reload: kim removed, lee disabled, max now a viewer.
    current = [{ ...settings.users[1]!, disabled: true }, { ...settings.users[2]!, role: 'viewer' }];
    for (const l of [kim, lee, max]) expect((await me(l)).statusCode).toBe(401);
    const again = await login(app, 'max');
    expect((await me(again)).json()).toMatchObject({ name: 'max', role: 'viewer' });
    await app.close();
  });
});
