import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARDS } from '../../dashboards/build.js';
import { dashboardQueries } from '../../dashboards/common.js';
import { influxSectionSchema } from '../../src/config/sections/influx.js';
import type { Sample } from '../../src/core/sample.js';
import { BUILTIN_CATALOG_DIR, loadCatalogs } from '../../src/events/catalog.js';
import { classifyTrap } from '../../src/events/classify.js';
import { eventToSample } from '../../src/events/event.js';
import { createInfluxSink } from '../../src/storage/index.js';
import { realInfluxd } from '../helpers/real-parts.js';
import { tempDir } from '../helpers/tmp.js';
import { hasValues, interpolate, regexEscape, runQuery, type TimeRange } from './grafana-queries.js';

// The event panels and annotations of the Device and NOC wall dashboards, run as Grafana would send them against a
// real influxd holding events as the receivers write them (a linkDown, its linkUp, a 995-event storm summary, a UPS trap).
const tmp = tempDir('noctua-dash-events-');
const catalog = loadCatalogs([BUILTIN_CATALOG_DIR]);
let influx: Awaited<ReturnType<typeof realInfluxd>>;
const T = Date.UTC(2026, 11, 2, 8, 0, 0);
const range: TimeRange = { from: T - 3_600_000, to: T + 60_000 };

function trap(device: string, trapOid: string, i: number, at: number, storm?: number): Sample {
  const e = classifyTrap(catalog, { kind: 'trap', trapOid, varbinds: [{ oid: `1.3.6.1.2.1.2.2.1.1.${i}`, value: String(i) }, { oid: `1.3.6.1.2.1.31.1.1.1.1.${i}`, value: `GE0/0/${i}` }] },
    '10.0.0.1', { device, site: 'hq', class: 'switch', timeZone: 'UTC' }, new Date(at));
  return eventToSample(e, storm ? { count: storm, byType: { 'link-down': storm } } : undefined);
}

beforeAll(async () => {
  influx = await realInfluxd();
  const settings = influxSectionSchema.parse({ url: influx.url, database: 'noctua', precision: 'ms' });
  const sink = await createInfluxSink({ settings, stateDir: join(tmp.dir, 'writer'), log: pino({ level: 'silent' }) });
  await sink.write([
    trap('core-sw', '1.3.6.1.6.3.1.1.5.3', 3, T - 600_000),
    trap('core-sw', '1.3.6.1.6.3.1.1.5.4', 3, T - 590_000),
    trap('core-sw', '1.3.6.1.6.3.1.1.5.3', 9, T - 300_000, 995),
    trap('ups-1', '1.3.6.1.4.1.318.0.5', 0, T - 200_000),
  ]);
  await sink.flush();
  await sink.close();
}, 60_000);

afterAll(async () => {
  await influx?.cleanup();
  tmp.cleanup();
});

const eventQueries = (file: string) => dashboardQueries(DASHBOARDS.find((d) => d.file === file)!.build())
  .filter((q) => /FROM "event"/.test(q.query) && !q.where.includes('Reboots'));
const run = (q: string, device?: string) =>
  runQuery(influx.url, 'noctua', interpolate(q, new Map(device ? [['device', regexEscape(device)]] : []), range, '1m'));

describe('event panels and annotations on stored events', () => {
  it('the Device dashboard has events by type, latest events and a fault annotation, each returning data for the device', async () => {
    const qs = eventQueries('noctua-device.json');
    expect(qs.map((q) => q.where)).toEqual(['annotation "Device events (traps, syslog)"', 'panel 14 "Events by type" A', 'panel 15 "Latest events" A']);
    for (const q of qs) expect(hasValues(await run(q.query, 'core-sw')), q.where).toBe(true);
    const latest = await run(qs[2]!.query, 'core-sw');
    const cols = latest[0]!.columns;
    const rows = latest[0]!.values.map((r) => Object.fromEntries(cols.map((c, i) => [c, r[i]])));
    // Newest first; the storm summary's count is the events it stands for; another device's events are not there.
    expect(rows.map((r) => `${String(r.type)} ${String(r.ifName)} ${String(r.count)}`)).toEqual(['link-down GE0/0/9 995', 'link-up GE0/0/3 1', 'link-down GE0/0/3 1']);
    const byType = await run(qs[1]!.query, 'core-sw');
    const sum = (type: string) => byType.filter((s) => s.tags?.type === type).flatMap((s) => s.values.map((r) => Number(r[1] ?? 0))).reduce((a, b) => a + b, 0);
    expect([sum('link-down'), sum('link-up')]).toEqual([996, 1]);
    // The annotation marks faults only: the two link-downs, not the link-up that cleared one.
    const marks = await run(qs[0]!.query, 'core-sw');
    expect(marks[0]!.values.map((r) => r[marks[0]!.columns.indexOf('type')])).toEqual(['link-down', 'link-down']);
  });

  it('the NOC wall shows events by type for the whole estate and marks every device\'s faults', async () => {
    const qs = eventQueries('noctua-noc-wall.json');
    expect(qs.map((q) => q.where)).toEqual(['annotation "Device events (traps, syslog)"', 'panel 13 "Events by type" A']);
    const marks = await run(qs[0]!.query);
    expect(marks[0]!.values.map((r) => r[marks[0]!.columns.indexOf('device')])).toEqual(['core-sw', 'core-sw', 'ups-1']);
    const byType = await run(qs[1]!.query);
    expect(byType.map((s) => s.tags?.type).sort()).toEqual(['link-down', 'link-up', 'ups-on-battery']);
  });
});
