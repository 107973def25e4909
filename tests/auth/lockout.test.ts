import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleApp, login, PASSWORD, type ConsoleApp } from './console-app.js';

const MIN = 60_000;

describe('login lockout and rate limit', () => {
  let c: ConsoleApp;
  beforeAll(async () => { c = await consoleApp({ lockout: { maxFailuresPerUser: 3, maxFailuresPerAddress: 5, duration: '15m' }, loginRateLimitPerMinute: 1000 }); });
  afterAll(() => c.app.close());

  const attempt = (username: string, password: string, remoteAddress: string) =>
    c.app.inject({ method: 'POST', url: '/api/v1/session', payload: { username, password }, remoteAddress });

  it('locks a user name after 3 failures, refusing even the right password with 429 and Retry-After, until 15 minutes pass', async () => {
    for (let i = 0; i < 3; i++) expect((await attempt('olga', 'wrong-wrong', `10.9.0.${i + 1}`)).statusCode).toBe(401);
    const locked = await attempt('olga', PASSWORD, '10.9.0.9');
    expect(locked.statusCode).toBe(429);
    expect(locked.json().message).toContain('too many failed logins');
    expect(Number(locked.headers['retry-after'])).toBe(15 * 60);
    expect(locked.headers['set-cookie']).toBeUndefined();
    c.clock.t += 14 * MIN;
    expect((await attempt('olga', PASSWORD, '10.9.0.9')).statusCode).toBe(429);
    c.clock.t += MIN;
    expect((await attempt('olga', PASSWORD, '10.9.0.9')).statusCode).toBe(200);
  });

  it('locks an unknown user name the same way, so a lock says nothing about which names exist', async () => {
    for (let i = 0; i < 3; i++) expect((await attempt('mallory', 'guess-guess', `10.8.0.${i + 1}`)).statusCode).toBe(401);
    expect((await attempt('mallory', 'guess-guess', '10.8.0.9')).statusCode).toBe(429);
  });

  it('clears a user\'s tally on success, so failures spread over a shift do not lock', async () => {
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 2; i++) expect((await attempt('vera', 'wrong-wrong', `10.7.${round}.${i}`)).statusCode).toBe(401);
      expect((await attempt('vera', PASSWORD, `10.7.${round}.9`)).statusCode).toBe(200);
    }
  });

  it('locks a client address after 5 failures over different names, while other addresses still log in', async () => {
    const names = ['a1', 'a2', 'a3', 'a4', 'a5'];
    for (const n of names) expect((await attempt(n, 'spray-spray', '10.6.6.6')).statusCode).toBe(401);
    const r = await attempt('ada', PASSWORD, '10.6.6.6');
    expect(r.statusCode).toBe(429);
    expect((await attempt('ada', PASSWORD, '10.6.6.7')).statusCode).toBe(200);
    c.clock.t += 15 * MIN;
    expect((await attempt('ada', PASSWORD, '10.6.6.6')).statusCode).toBe(200);
  });
});

describe('login rate limit per client', () => {
  let c: ConsoleApp;
  beforeAll(async () => { c = await consoleApp({ loginRateLimitPerMinute: 3 }); });
  afterAll(() => c.app.close());

  it('answers 429 past auth.loginRateLimitPerMinute from one address, before any password is checked', async () => {
    for (let i = 0; i < 3; i++) expect((await login(c.app, 'olga', PASSWORD, '10.5.0.1')).status).toBe(200);
    const r = await c.app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: 'olga', password: PASSWORD }, remoteAddress: '10.5.0.1' });
    expect(r.statusCode).toBe(429);
    expect(r.json().message).toContain('login rate limit of 3 requests per minute');
    expect((await login(c.app, 'olga', PASSWORD, '10.5.0.2')).status).toBe(200);
  });
});

describe('bounded input', () => {
  let c: ConsoleApp;
  beforeAll(async () => {
    c = await consoleApp();
    c.noc.openIncident({ id: 'inc-1', device: 'fw-01', severity: 'P2', title: 'fw-01 slow' });
  });
  afterAll(() => c.app.close());
  const long = 'x'.repeat(10_000);

  it('refuses 10,000-character login fields with 400 naming the field, and keeps serving', async () => {
    const user = await c.app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: long, password: PASSWORD } });
    expect(user.statusCode).toBe(400);
    expect(user.json().issues).toEqual([expect.objectContaining({ path: 'body.username', expected: 'at most 200 characters' })]);
    const pw = await c.app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: 'olga', password: long } });
    expect(pw.statusCode).toBe(400);
    expect(pw.json().issues).toEqual([expect.objectContaining({ path: 'body.password', expected: 'at most 1024 characters' })]);
    const both = await c.app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: long, password: long } });
    expect(both.json().issues.map((i: { path: string }) => i.path).sort()).toEqual(['body.password', 'body.username']);
    expect((await login(c.app, 'olga')).status).toBe(200);
  });

  it('refuses a 10,000-character comment, user name and cookie without a crash', async () => {
    const l = await login(c.app, 'ada');
    const headers = { cookie: l.cookie, 'x-csrf-token': l.csrf };
    const note = await c.app.inject({ method: 'POST', url: '/api/v1/incidents/inc-1/comment', headers, payload: { note: long } });
    expect(note.statusCode).toBe(400);
    expect(note.json().issues[0].path).toBe('body.note');
    const user = await c.app.inject({ method: 'POST', url: '/api/v1/users', headers, payload: { name: long, password: PASSWORD, role: 'viewer' } });
    expect(user.statusCode).toBe(400);
    expect(user.json().issues[0]).toMatchObject({ path: 'body.name', expected: 'at most 100 characters' });
    const cookie = await c.app.inject({ url: '/api/v1/devices', headers: { cookie: `noctua_session=${long}` } });
    expect(cookie.statusCode).toBe(401);
    const csrf = await c.app.inject({ method: 'POST', url: '/api/v1/incidents/inc-1/comment', headers: { cookie: l.cookie, 'x-csrf-token': long }, payload: { note: 'hi' } });
    expect(csrf.statusCode).toBe(403);
  });
});
