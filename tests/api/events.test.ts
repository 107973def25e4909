import { join } from 'node:path';
import { pino } from 'pino';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventServiceOverInflux } from '../../src/api/services/events.js';
import { influxSectionSchema } from '../../src/config/sections/influx.js';
import type { Sample } from '../../src/core/sample.js';
import { BUILTIN_CATALOG_DIR, loadCatalogs } from '../../src/events/catalog.js';
import { classifyTrap } from '../../src/events/classify.js';
import { eventToSample } from '../../src/events/event.js';
import { createInfluxReader, createInfluxSink } from '../../src/storage/index.js';
import { realInfluxd } from '../helpers/real-parts.js';
import { tempDir } from '../helpers/tmp.js';
import { appOver, bearer, T0 } from './memory-noc.js';

// GET /api/v1/events against a real influxd holding events as the receivers write them: catalog-classified traps,
// a storm summary, a poll's reboot event (no source tag) and a device whose name is hostile to InfluxQL.
const tmp = tempDir('noctua-api-events-');
let influx: Awaited<ReturnType<typeof realInfluxd>>;
let app: FastifyInstance;
const catalog = loadCatalogs([BUILTIN_CATALOG_DIR]);
// A trailing backslash cannot end a line-protocol tag value (the writer turns it into "/"): one inside is kept.
const HOSTILE = `sw'; DROP DATABASE "noctua" --\\x`;

function trapEvent(device: string, trapOid: string, varbinds: { oid: string; value: string }[], at: number, storm?: number): Sample {
  const e = classifyTrap(catalog, { kind: 'trap', trapOid, varbinds }, '10.0.0.9', { device, site: 'hq', class: 'switch', timeZone: 'UTC' }, new Date(at));
  return eventToSample(e, storm ? { count: storm, byType: { 'link-down': storm } } : undefined);
}
const linkDown = (device: string, i: number, at: number, storm?: number) =>
  trapEvent(device, '1.3.6.1.6.3.1.1.5.3', [{ oid: `1.3.6.1.2.1.2.2.1.1.${i}`, value: String(i) }, { oid: `1.3.6.1.2.1.31.1.1.1.1.${i}`, value: `GE0/0/${i}` }], at, storm);

beforeAll(async () => {
  influx = await realInfluxd();
  const settings = influxSectionSchema.parse({ url: influx.url, database: 'noctua', precision: 'ms' });
  const sink = await createInfluxSink({ settings, stateDir: join(tmp.dir, 'writer'), log: pino({ level: 'silent' }) });
  const t = T0.getTime();
  await sink.write([
    linkDown('core-sw', 1, t - 60_000),
    linkDown('core-sw', 2, t - 50_000),
    trapEvent('core-sw', '1.3.6.1.6.3.1.1.5.4', [{ oid: '1.3.6.1.2.1.2.2.1.1.1', value: '1' }, { oid: '1.3.6.1.2.1.31.1.1.1.1.1', value: 'GE0/0/1' }], t - 40_000),
    linkDown('core-sw', 9, t - 30_000, 995),
    trapEvent('ups-1', '1.3.6.1.4.1.318.0.5', [], t - 20_000),
    linkDown(HOSTILE, 3, t - 10_000),
    { measurement: 'event', tags: { device: 'core-sw', site: 'hq', class: 'switch', type: 'reboot' }, fields: { message: 'core-sw rebooted: uptime went back', uptime_s: 12 }, time: new Date(t - 5_000) },
    // Two days old: outside the default range.
    linkDown('core-sw', 7, t - 2 * 86_400_000),
  ]);
  await sink.flush();
  expect(sink.stats().writtenPoints).toBe(8);
  await sink.close();
  const reader = createInfluxReader(settings);
  ({ app } = appOver({}, undefined, (services) => { services.events = eventServiceOverInflux(reader); }));
}, 60_000);

afterAll(async () => {
  await app?.close();
  await influx?.cleanup();
  tmp.cleanup();
});

type Page = { total: number; limit: number; offset: number; items: { time: string; device: string; source: string; type: string; ifName?: string; count: number; storm: boolean; message: string; messageZh?: string; clears?: string }[] };
const get = async (qs: string, withToken = true) => app.inject({ method: 'GET', url: `/api/v1/events${qs}`, headers: withToken ? bearer('viewer') : {} });

describe('GET /api/v1/events', () => {
  it('lists the last day newest first, with storm counts, both languages and clearing types', async () => {
    const res = await get('');
    expect(res.statusCode, res.body).toBe(200);
    const page = res.json() as Page;
    expect(page.total).toBe(7);
    expect(page.items.map((e) => `${e.device} ${e.source} ${e.type}`)).toEqual([
      'core-sw poll reboot', `${HOSTILE} trap link-down`, 'ups-1 trap ups-on-battery', 'core-sw trap link-down', 'core-sw trap link-up',
      'core-sw trap link-down', 'core-sw trap link-down',
    ]);
    const storm = page.items.find((e) => e.storm)!;
    expect(storm).toMatchObject({ ifName: 'GE0/0/9', count: 995 });
    expect(storm.message).toMatch(/^event storm on GE0\/0\/9: 995 events held back/);
    expect(page.items.find((e) => e.type === 'link-up')).toMatchObject({ clears: 'link-down', messageZh: '接口 GE0/0/1 恢复 (ifIndex 1)' });
  });

  it('filters by device (quoted safely), type and source, and pages with limit and offset', async () => {
    const hostile = (await get(`?device=${encodeURIComponent(HOSTILE)}`)).json() as Page;
    expect(hostile.items.map((e) => e.device)).toEqual([HOSTILE]);
    const downs = (await get('?device=core-sw&type=link-down&limit=2&offset=1')).json() as Page;
    expect(downs).toMatchObject({ total: 3, limit: 2, offset: 1 });
    expect(downs.items.map((e) => e.ifName)).toEqual(['GE0/0/2', 'GE0/0/1']);
    const polls = (await get('?source=poll')).json() as Page;
    expect(polls.items.map((e) => e.type)).toEqual(['reboot']);
    const old = (await get(`?since=${encodeURIComponent(new Date(T0.getTime() - 3 * 86_400_000).toISOString())}&until=${encodeURIComponent(new Date(T0.getTime() - 86_400_000).toISOString())}`)).json() as Page;
    expect(old.items.map((e) => e.ifName)).toEqual(['GE0/0/7']);
  });

  it('refuses bad input naming the field, and needs a viewer token', async () => {
    const bad = await get('?type=Link%20Down');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toContain('querystring.type');
    const reversed = await get(`?since=${encodeURIComponent(T0.toISOString())}&until=${encodeURIComponent(new Date(T0.getTime() - 1000).toISOString())}`);
    expect(reversed.statusCode).toBe(400);
    expect(reversed.json().issues[0]).toMatchObject({ path: 'querystring.since' });
    const tooWide = await get(`?since=2026-01-01T00:00:00Z&until=2026-11-01T00:00:00Z`);
    expect(tooWide.statusCode).toBe(400);
    expect(tooWide.json().message).toContain('at most 31 days');
    expect((await get('?source=snmp')).statusCode).toBe(400);
    expect((await get('', false)).statusCode).toBe(401);
  });

  it('answers 503 with a clear message when InfluxDB cannot be read', async () => {
    const down = createInfluxReader(influxSectionSchema.parse({ url: 'http://127.0.0.1:9', database: 'noctua', timeout: 500 }));
    const { app: app2 } = appOver({}, undefined, (services) => { services.events = eventServiceOverInflux(down); });
    try {
      const res = await app2.inject({ method: 'GET', url: '/api/v1/events', headers: bearer('viewer') });
      expect(res.statusCode).toBe(503);
      expect(res.json().message).toBe('the event log could not be read from InfluxDB; try again shortly');
    } finally { await app2.close(); }
  });
});
