/**
 * The wall's browser code reads the API through its own types (src/web/client/wall/wire.ts): the functions
 * below fail to type-check (npm test runs tsc) when the server's schemas stop giving what the wall reads.
 * The tests check the page that loads the wall, and what the snapshot tells it.
 */
import type { z } from 'zod';
import { describe, expect, it } from 'vitest';
import type { wallJson } from '../../src/api/routes/wall.js';
import type { DeviceJson, IncidentJson } from '../../src/api/views.js';
import { apiSectionSchema } from '../../src/config/sections/api.js';
import type { WireDevice, WireIncident, WireWall } from '../../src/web/client/wall/wire.js';
import { appOver, bearer } from '../api/memory-noc.js';
import { consoleApp, login } from '../auth/console-app.js';

// Compile-time conformance: each server shape is assignable to what the wall reads.
export const snapshotConforms = (s: z.infer<typeof wallJson>): WireWall => s;
export const deviceConforms = (d: DeviceJson): WireDevice => d;
export const incidentConforms = (i: IncidentJson): WireIncident => i;

describe('wall snapshot and page', () => {
  it('tells the wall how often to page through sites: off by default, api.wall.pageEvery when set', async () => {
    const plain = appOver().app;
    const snap = (await plain.inject({ url: '/api/v1/wall', headers: bearer('viewer') })).json();
    expect(snap.pageEveryMs).toBe(0);
    expect(snap.devices.length).toBeGreaterThan(0);
    await plain.close();
    const paged = appOver({ wall: { pageEvery: '30s' } }).app;
    expect((await paged.inject({ url: '/api/v1/wall', headers: bearer('viewer') })).json().pageEveryMs).toBe(30_000);
    await paged.close();
  });

  it('builds one snapshot per heartbeat tick for every screen, and a new one as soon as a device changes', async () => {
    let builds = 0;
    const { app, noc } = appOver({ wall: { heartbeat: '1500ms' } }, undefined, (services) => {
      const list = services.devices.list.bind(services.devices);
      services.devices.list = () => { builds += 1; return list(); };
    });
    const wall = () => app.inject({ url: '/api/v1/wall', headers: bearer('viewer') });
    // A room of ten screens asking at once, then again: one build (two if the 1.5 s tick turned meanwhile).
    await Promise.all(Array.from({ length: 10 }, wall));
    const bodies = await Promise.all(Array.from({ length: 10 }, wall));
    expect(builds).toBeLessThanOrEqual(2);
    expect(new Set(bodies.map((b) => b.body)).size).toBeLessThanOrEqual(2);
    // A change on the live feed: the next answer has it, whatever the tick.
    const before = builds;
    noc.setDeviceState('branch-rt-01', 'down');
    const after = (await wall()).json();
    expect(after.devices.find((d: { name: string }) => d.name === 'branch-rt-01').state).toBe('down');
    expect(builds).toBe(before + 1);
    // Latency and loss move without events: the next tick builds afresh.
    await new Promise((r) => setTimeout(r, 1600));
    await wall();
    expect(builds).toBe(before + 2);
    await app.close();
  });

  it('shares a snapshot only within a scope: a login limited to a site never gets the whole fleet\'s, nor the reverse', async () => {
    const c = await consoleApp();
    const olga = await login(c.app, 'olga');
    const bob = await login(c.app, 'bob');
    const sitesOf = async (cookie: string) => {
      const r = await c.app.inject({ url: '/api/v1/wall', headers: { cookie } });
      expect(r.statusCode).toBe(200);
      const snap = r.json() as { devices: { site: string }[]; counters: { devicesTotal: number } };
      return { sites: [...new Set(snap.devices.map((d) => d.site))].sort(), total: snap.counters.devicesTotal };
    };
    // Within one heartbeat tick: the whole fleet's snapshot is cached when bob asks, and bob's when olga asks again.
    expect(await sitesOf(olga.cookie)).toEqual({ sites: ['hq', 'shanghai'], total: 5 });
    expect(await sitesOf(bob.cookie)).toEqual({ sites: ['shanghai'], total: 2 });
    expect(await sitesOf(olga.cookie)).toEqual({ sites: ['hq', 'shanghai'], total: 5 });
    await c.app.close();
    c.db.close();
  });

  it('refuses a paging period too short to read, naming the field', () => {
    const r = apiSectionSchema.safeParse({ wall: { pageEvery: '2s' } });
    expect(r.success).toBe(false);
    expect(r.error!.issues).toEqual([expect.objectContaining({ path: ['wall', 'pageEvery'], message: 'expected 0 (off) or at least 5s' })]);
  });

  it('serves the page with its bundled script and style sheet, cached by content hash, without a token', async () => {
    const { app } = appOver();
    const page = await app.inject({ url: '/wall' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    const js = /src="(\/wall\/assets\/app\.[0-9a-f]{16}\.js)"/.exec(page.body)?.[1];
    const css = /href="(\/wall\/assets\/app\.[0-9a-f]{16}\.css)"/.exec(page.body)?.[1];
    expect(js && css).toBeTruthy();
    const script = await app.inject({ url: js! });
    expect(script.statusCode).toBe(200);
    expect(script.headers['cache-control']).toContain('immutable');
    expect(script.body).toContain('/api/v1/stream');
    expect((await app.inject({ url: js!, headers: { 'if-none-match': String(script.headers.etag) } })).statusCode).toBe(304);
    expect((await app.inject({ url: css! })).body).toContain('.tile');
    // The old unbundled files are gone, and an unknown asset says to reload.
    const old = await app.inject({ url: '/wall/assets/app.0000000000000000.js' });
    expect([old.statusCode, old.body]).toEqual([404, 'no such wall asset; reload the page']);
    await app.close();
  });
});
