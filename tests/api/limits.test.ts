import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServer } from '../../src/api/server.js';
import { appOver, apiSettings, bearer, MemoryNoc, TOKENS } from './memory-noc.js';

/** Waits (bounded) until `f` holds, polling live state. */
async function until(f: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!f() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

/** An open stream: reads its text as it arrives. */
async function openStream(url: string, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const res = await fetch(url, { headers, signal: controller.signal });
  let text = '';
  if (res.status === 200 && res.body) {
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    void (async () => {
      try {
        for (;;) { const c = await reader.read(); if (c.done) break; text += decoder.decode(c.value, { stream: true }); }
      } catch { /* aborted */ }
    })();
  }
  return { res, text: () => text, close: () => controller.abort() };
}

describe('live stream limits', () => {
  const noc = new MemoryNoc(() => new Date());
  let server: ApiServer;
  let proxied: ApiServer;
  const streams: { close(): void }[] = [];

  beforeAll(async () => {
    const settings = { host: '127.0.0.1', port: 0, wall: { heartbeat: 60_000 } };
    const limits = { streams: { perClient: 2, total: 3 } };
    server = await startApiServer({ settings: apiSettings(settings), services: noc.services(), log: pino({ level: 'silent' }), limits });
    // Behind a reverse proxy on loopback: the client is the one X-Forwarded-For names.
    proxied = await startApiServer({ settings: apiSettings({ ...settings, trustProxy: ['127.0.0.1'] }), services: noc.services(), log: pino({ level: 'silent' }), limits });
  });

  afterAll(async () => {
    for (const s of streams) s.close();
    await server?.close();
    await proxied?.close();
  });

  const open = async (base: ApiServer, headers: Record<string, string> = {}) => {
    const s = await openStream(`${base.url}/api/v1/stream?access_token=${TOKENS.viewer}`, headers);
    streams.push(s);
    return s;
  };
  const closeAll = async () => {
    for (const s of streams.splice(0)) s.close();
    await until(() => noc.subscribers === 0);
  };

  it('caps streams per client address with a 429 that says why, and frees a place when one closes', async () => {
    const a = await open(server);
    const b = await open(server);
    expect([a.res.status, b.res.status]).toEqual([200, 200]);
    const c = await open(server);
    expect(c.res.status).toBe(429);
    expect((await c.res.json()).message).toBe('too many live streams from 127.0.0.1 (limit 2 per client address); close other wall pages first');
    a.close();
    await until(() => false, 200);
    expect((await open(server)).res.status).toBe(200);
    await closeAll();
  });

  it('serialises each event once, for every open stream, over one subscription to the live feed', async () => {
    const a = await open(proxied, { 'x-forwarded-for': '10.9.0.1' });
    const b = await open(proxied, { 'x-forwarded-for': '10.9.0.2' });
    const c = await open(proxied, { 'x-forwarded-for': '10.9.0.3' });
    expect([a.res.status, b.res.status, c.res.status]).toEqual([200, 200, 200]);
    expect(noc.subscribers).toBe(1);
    noc.setDeviceState('fw-01', 'down');
    for (const s of [a, b, c]) await until(() => s.text().includes('event: device'));
    const frames = [a, b, c].map((s) => s.text().slice(s.text().indexOf('event: device')));
    expect(frames[0]).toContain('"name":"fw-01","address":"10.0.0.3"');
    expect(new Set(frames).size).toBe(1);
    noc.setDeviceState('fw-01', 'up');
  });

  it('counts clients behind a trusted proxy apart, and caps the server in total', async () => {
    // Three streams are open from three clients (previous test): the total of 3 is reached.
    const d = await open(proxied, { 'x-forwarded-for': '10.9.0.4' });
    expect(d.res.status).toBe(429);
    expect((await d.res.json()).message).toBe('too many live streams open on this server (limit 3); retry later');
    await closeAll();
    const a = await open(proxied, { 'x-forwarded-for': '10.9.0.1' });
    const b = await open(proxied, { 'x-forwarded-for': '10.9.0.1' });
    const third = await open(proxied, { 'x-forwarded-for': '10.9.0.1' });
    const other = await open(proxied, { 'x-forwarded-for': '10.9.0.2' });
    expect([a.res.status, b.res.status, third.res.status, other.res.status]).toEqual([200, 200, 429, 200]);
    expect((await third.res.json()).message).toContain('from 10.9.0.1 (limit 2 per client address)');
    await closeAll();
  });
});

describe('rate limit behind a reverse proxy', () => {
  it('limits each client named by X-Forwarded-For when api.trustProxy is set, and the proxy as one client when not', async () => {
    const trusted = appOver({ rateLimitPerMinute: 2, trustProxy: true }).app;
    const direct = appOver({ rateLimitPerMinute: 2 }).app;
    const call = (app: typeof trusted, client: string) => app.inject({ url: '/api/v1/devices', headers: { ...bearer('viewer'), 'x-forwarded-for': client } });
    for (const app of [trusted, direct]) {
      expect((await call(app, '10.0.0.1')).statusCode).toBe(200);
      expect((await call(app, '10.0.0.1')).statusCode).toBe(200);
      expect((await call(app, '10.0.0.1')).statusCode).toBe(429);
    }
    expect((await call(trusted, '10.0.0.2')).statusCode).toBe(200);
    expect((await call(direct, '10.0.0.2')).statusCode).toBe(429);
    await trusted.close();
    await direct.close();
  });
});

describe('wall snapshot', () => {
  it('shares the WAN sparkline queries for a few seconds, but always answers current devices', async () => {
    const noc = new MemoryNoc();
    const { app } = appOver({}, noc, undefined, { wallSparklineCacheMs: 300 });
    const wall = () => app.inject({ url: '/api/v1/wall', headers: bearer('viewer') });
    // Two WAN devices, four queries each (median, min, max, loss).
    const [first, second] = await Promise.all([wall(), wall()]);
    expect(noc.seriesQueries).toHaveLength(8);
    expect(second.json().wan).toEqual(first.json().wan);
    noc.setDeviceState('branch-rt-01', 'down');
    const third = (await wall()).json();
    expect(noc.seriesQueries).toHaveLength(8);
    expect(third.devices.find((d: { name: string }) => d.name === 'branch-rt-01').state).toBe('down');
    await until(() => false, 350);
    await wall();
    expect(noc.seriesQueries).toHaveLength(16);
    await app.close();
  });
});
