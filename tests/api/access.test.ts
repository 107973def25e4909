import { afterAll, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { buildApp } from '../../src/api/app.js';
import { hashToken, newToken, TokenTable } from '../../src/api/access.js';
import { apiSettings, appOver, bearer, MemoryNoc, TOKENS } from './memory-noc.js';

describe('API tokens and roles', () => {
  const { app, noc } = appOver();
  noc.openIncident({ id: 'inc-1', device: 'fw-01', severity: 'P1', title: 'fw-01 down' });
  afterAll(() => app.close());

  it('refuses a request without a token with 401 and a Bearer challenge', async () => {
    const r = await app.inject({ url: '/api/v1/devices' });
    expect(r.statusCode).toBe(401);
    expect(r.headers['www-authenticate']).toBe('Bearer realm="noctua"');
    expect(r.json()).toMatchObject({ statusCode: 401, error: 'Unauthorized', message: expect.stringContaining('missing token') });
  });

  it('refuses an unknown token, and a malformed Authorization header, with 401', async () => {
    const bad = await app.inject({ url: '/api/v1/devices', headers: { authorization: 'Bearer not-a-token' } });
    expect(bad.statusCode).toBe(401);
    expect(bad.json().message).toBe('invalid token');
    const basic = await app.inject({ url: '/api/v1/devices', headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    expect(basic.statusCode).toBe(401);
  });

  it('lets a viewer read but not acknowledge (403 naming the role needed)', async () => {
    expect((await app.inject({ url: '/api/v1/incidents', headers: bearer('viewer') })).statusCode).toBe(200);
    const r = await app.inject({ method: 'POST', url: '/api/v1/incidents/inc-1/acknowledge', headers: bearer('viewer') });
    expect(r.statusCode).toBe(403);
    expect(r.json().message).toBe('role viewer may not do this; it needs operator');
    expect(noc.incidents.get('inc-1')!.state).toBe('open');
  });

  it('lets an operator acknowledge but not reload the configuration', async () => {
    const ack = await app.inject({ method: 'POST', url: '/api/v1/incidents/inc-1/acknowledge', headers: bearer('operator') });
    expect(ack.statusCode).toBe(200);
    expect(ack.json()).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'alice' });
    const reload = await app.inject({ method: 'POST', url: '/api/v1/config/reload', headers: bearer('operator') });
    expect(reload.statusCode).toBe(403);
    expect(noc.reloads).toEqual([]);
  });

  it('lets an admin do what operators and viewers do, and reload', async () => {
    expect((await app.inject({ method: 'POST', url: '/api/v1/incidents/inc-1/comment', headers: bearer('admin'), payload: { note: 'on it' } })).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: '/api/v1/config/reload', headers: bearer('admin') })).statusCode).toBe(200);
    expect(noc.reloads).toEqual(['root']);
  });

  it('serves /healthz and /readyz without a token by default, /metrics only with one', async () => {
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/readyz' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/metrics' })).statusCode).toBe(401);
  });

  it('keeps the wall data behind a token unless publicWall, but the page itself is public', async () => {
    expect((await app.inject({ url: '/api/v1/wall' })).statusCode).toBe(401);
    expect((await app.inject({ url: '/wall' })).statusCode).toBe(200);
    const script = /src="(\/wall\/assets\/[^"]+)"/.exec((await app.inject({ url: '/wall' })).body)![1]!;
    expect((await app.inject({ url: script })).statusCode).toBe(200);
  });

  it('accepts the token as ?access_token= only on the live stream', async () => {
    const other = await app.inject({ url: `/api/v1/devices?access_token=${TOKENS.viewer}` });
    expect(other.statusCode).toBe(401);
    expect(other.json().message).toContain('missing token');
    const stream = await app.inject({ url: '/api/v1/stream?access_token=wrong' });
    expect(stream.statusCode).toBe(401);
  });

  it('sends security headers and no CORS headers when none are configured', async () => {
    const r = await app.inject({ url: '/api/v1/devices', headers: { ...bearer('viewer'), origin: 'https://evil.example' } });
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['content-security-policy']).toContain("default-src 'self'");
    expect(r.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('API settings that open or restrict access', () => {
  const open = appOver({ publicWall: true, publicHealth: false, cors: ['https://noc.example'], bodyLimitBytes: 1024 });
  const limited = appOver({ rateLimitPerMinute: 3 });
  afterAll(async () => { await open.app.close(); await limited.app.close(); });

  it('opens the wall data when publicWall is set, and closes health when publicHealth is not', async () => {
    expect((await open.app.inject({ url: '/api/v1/wall' })).statusCode).toBe(200);
    expect((await open.app.inject({ url: '/healthz' })).statusCode).toBe(401);
    expect((await open.app.inject({ url: '/healthz', headers: bearer('viewer') })).statusCode).toBe(200);
  });

  it('answers CORS only for the configured origin, including preflight', async () => {
    const ok = await open.app.inject({ method: 'OPTIONS', url: '/api/v1/incidents/inc-1/acknowledge', headers: { origin: 'https://noc.example', 'access-control-request-method': 'POST' } });
    expect(ok.statusCode).toBe(204);
    expect(ok.headers['access-control-allow-origin']).toBe('https://noc.example');
    expect(ok.headers['access-control-allow-headers']).toContain('authorization');
    const other = await open.app.inject({ url: '/api/v1/wall', headers: { origin: 'https://evil.example' } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses a body over the configured limit with 413', async () => {
    const r = await open.app.inject({ method: 'POST', url: '/api/v1/maintenance', headers: bearer('operator'), payload: { reason: 'x'.repeat(2000) } });
    expect(r.statusCode).toBe(413);
    expect(r.json()).toMatchObject({ statusCode: 413, error: 'Payload Too Large' });
  });

  it('rate-limits every caller, including ones guessing tokens, with 429', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 5; i++) codes.push((await limited.app.inject({ url: '/api/v1/devices', headers: { authorization: `Bearer guess-${i}` } })).statusCode);
    expect(codes.filter((c) => c === 429).length).toBeGreaterThanOrEqual(2);
    expect(codes).not.toContain(200);
    const r = await limited.app.inject({ url: '/api/v1/devices', headers: bearer('viewer') });
    expect(r.statusCode).toBe(429);
    expect(r.json().message).toMatch(/rate limit of 3 requests per minute exceeded/);
  });
});

describe('unexpected failures', () => {
  const { app } = appOver({}, new MemoryNoc(), (services) => {
    services.devices.list = () => { throw new Error('sqlite: database is locked at /var/secret/noctua.db'); };
  });
  afterAll(() => app.close());

  it('answers 500 with a request id and no stack trace or internal message', async () => {
    const r = await app.inject({ url: '/api/v1/devices', headers: bearer('viewer') });
    expect(r.statusCode).toBe(500);
    expect(r.body).not.toContain('sqlite');
    expect(r.body).not.toContain('/var/secret');
    expect(r.body).not.toMatch(/at .*\.ts:\d+/);
    expect(r.json()).toMatchObject({ statusCode: 500, message: expect.stringContaining('request id'), requestId: expect.any(String) });
  });

  it('answers unknown routes with 404 in the same JSON shape', async () => {
    const r = await app.inject({ url: '/api/v1/nope', headers: bearer('viewer') });
    expect(r.statusCode).toBe(404);
    expect(r.json()).toMatchObject({ statusCode: 404, message: 'no route GET /api/v1/nope' });
  });
});

describe('token table', () => {
  it('finds a token by its sha256 and never stores or returns the token itself', () => {
    const table = new TokenTable([{ name: 'a', role: 'viewer', sha256: hashToken('s3cret') }, { name: 'b', role: 'admin', sha256: hashToken('other') }]);
    expect(table.resolve('s3cret')).toEqual({ name: 'a', role: 'viewer', via: 'token' });
    expect(table.resolve('other')).toEqual({ name: 'b', role: 'admin', via: 'token' });
    expect(table.resolve('s3cre')).toBeUndefined();
    expect(hashToken('s3cret')).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('tokens in logs', () => {
  it('never writes a stream token from the URL to the request log', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
    const app = buildApp({ settings: apiSettings(), services: new MemoryNoc().services(), log: pino({ level: 'info' }, sink) });
    const r = await app.inject({ url: '/api/v1/stream?access_token=guessed-secret-123' });
    expect(r.statusCode).toBe(401);
    await app.close();
    const log = lines.join('');
    expect(log).toContain('access_token=[redacted]');
    expect(log).not.toContain('guessed-secret-123');
  });

  it('redacts every credential a URL or header carries, on every route, in the real pino output', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
    const app = buildApp({ settings: apiSettings(), services: new MemoryNoc().services(), log: pino({ level: 'info' }, sink) });
    app.get('/echo-headers', { config: { access: 'public' } }, async (request) => {
      request.log.info({ headers: request.headers }, 'headers seen');
      return {};
    });
    const secrets = ['wall-secret-1', 'report-secret-2', 'ackpayload3.ackmac3', 'bearer-secret-4', 'other-secret-5', 'cookie-secret-6'];
    await app.inject({ url: `/wall?token=${secrets[0]}&lang=en` });
    await app.inject({ url: `/api/v1/reports/weekly/2026-W47.en.html?access_token=${secrets[1]}` });
    await app.inject({ url: `/ack/${secrets[2]}?lang=zh-CN` });
    await app.inject({ method: 'POST', url: `/ack/${secrets[2]}` });
    await app.inject({ url: '/api/v1/devices', headers: { authorization: `Bearer ${secrets[3]}` } });
    await app.inject({ url: `/no/such/route?API_KEY=${secrets[4]}&Signature=${secrets[4]}` });
    await app.inject({ url: '/echo-headers', headers: { authorization: `Bearer ${secrets[3]}`, cookie: `s=${secrets[5]}` } });
    await app.close();
    const log = lines.join('');
    for (const s of secrets) expect(log).not.toContain(s);
    const urls = lines.map((l) => JSON.parse(l) as { req?: { url: string } }).flatMap((l) => (l.req ? [l.req.url] : []));
    expect(urls).toEqual(expect.arrayContaining([
      '/wall?token=[redacted]&lang=en', '/api/v1/reports/weekly/2026-W47.en.html?access_token=[redacted]',
      '/ack/[redacted]?lang=zh-CN', '/ack/[redacted]', '/api/v1/devices', '/no/such/route?API_KEY=[redacted]&Signature=[redacted]',
    ]));
    expect(log).toContain('"authorization":"[redacted]"');
  });

  it('makes new tokens that resolve through their configured hash', () => {
    const a = newToken();
    const b = newToken();
    expect(a.token).not.toBe(b.token);
    expect(a.token.length).toBeGreaterThanOrEqual(32);
    expect(new TokenTable([{ name: 'lab-wall', role: 'viewer', sha256: a.sha256 }]).resolve(a.token)).toEqual({ name: 'lab-wall', role: 'viewer', via: 'token' });
  });
});
