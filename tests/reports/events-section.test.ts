import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { influxSectionSchema } from '../../src/config/sections/influx.js';
import type { Sample } from '../../src/core/sample.js';
import { BUILTIN_CATALOG_DIR, loadCatalogs } from '../../src/events/catalog.js';
import { classifyTrap } from '../../src/events/classify.js';
import { eventToSample } from '../../src/events/event.js';
import { buildReportModel } from '../../src/reports/model/build.js';
import { weekPeriod } from '../../src/reports/period.js';
import { sectionContext } from '../../src/reports/render/blocks.js';
import { buildDocument } from '../../src/reports/render/document.js';
import { renderMarkdown } from '../../src/reports/render/markdown.js';
import { eventBlocks } from '../../src/reports/render/sections/events.js';
import { InfluxMetricsSource } from '../../src/reports/sources/influx-metrics.js';
import { createInfluxSink } from '../../src/storage/index.js';
import { realInfluxd } from '../helpers/real-parts.js';
import { tempDir } from '../helpers/tmp.js';

// The weekly report's events section from events as the receivers write them into a real influxd: counts by source
// and type, storm summaries counted in full, a poll's reboot event (no source, no count field), top talkers.
const week = weekPeriod('2026-W47', 'Asia/Shanghai');
const at = (h: number) => new Date(week.start.getTime() + h * 3_600_000);
const tmp = tempDir('noctua-report-events-');
const catalog = loadCatalogs([BUILTIN_CATALOG_DIR]);
let influx: Awaited<ReturnType<typeof realInfluxd>>;
let metrics: InfluxMetricsSource;

function trap(device: string, trapOid: string, i: number, time: Date, storm?: number): Sample {
  const e = classifyTrap(catalog, { kind: 'trap', trapOid, varbinds: [{ oid: `1.3.6.1.2.1.2.2.1.1.${i}`, value: String(i) }] },
    '10.0.0.1', { device, site: 'hq', class: 'switch', timeZone: 'UTC' }, time);
  return eventToSample(e, storm ? { count: storm, byType: { 'link-down': storm } } : undefined);
}

beforeAll(async () => {
  influx = await realInfluxd();
  const settings = influxSectionSchema.parse({ url: influx.url, database: 'noctua', precision: 'ms' });
  const sink = await createInfluxSink({ settings, stateDir: join(tmp.dir, 'writer'), log: pino({ level: 'silent' }) });
  await sink.write([
    ...[1, 2, 3, 4, 5].map((i) => trap('core-sw', '1.3.6.1.6.3.1.1.5.3', i, at(10 + i))),
    trap('core-sw', '1.3.6.1.6.3.1.1.5.3', 9, at(20), 995),
    trap('core-sw', '1.3.6.1.6.3.1.1.5.4', 1, at(21)),
    trap('ups-1', '1.3.6.1.4.1.318.0.5', 0, at(30)),
    { measurement: 'event', tags: { device: 'fw-1', site: 'hq', class: 'firewall', type: 'reboot' }, fields: { message: 'fw-1 rebooted', uptime_s: 5 }, time: at(40) },
    // The week before: not counted.
    trap('ups-1', '1.3.6.1.4.1.318.0.5', 0, new Date(week.start.getTime() - 3_600_000)),
  ]);
  await sink.flush();
  await sink.close();
  metrics = new InfluxMetricsSource({ url: influx.url, database: 'noctua' });
}, 60_000);

afterAll(async () => {
  await influx?.cleanup();
  tmp.cleanup();
});

describe('weekly report: events section', () => {
  it('counts events by source and type, storm summaries in full, and lists the top talkers', async () => {
    const model = await buildReportModel({ period: week, metrics, now: at(200) });
    expect(model.events).toEqual({
      total: 1003, bySource: { trap: 1002, syslog: 0, poll: 1 }, heldBack: 995, devices: 3,
      byType: [{ type: 'link-down', count: 1000, devices: 1 }, { type: 'link-up', count: 1, devices: 1 }, { type: 'reboot', count: 1, devices: 1 }, { type: 'ups-on-battery', count: 1, devices: 1 }],
      topTalkers: [
        { device: 'core-sw', count: 1001, trap: 1001, syslog: 0, heldBack: 995, topType: 'link-down' },
        { device: 'fw-1', count: 1, trap: 0, syslog: 0, heldBack: 0, topType: 'reboot' },
        { device: 'ups-1', count: 1, trap: 1, syslog: 0, heldBack: 0, topType: 'ups-on-battery' },
      ],
    });
  });

  it('renders in English and Chinese, as the ninth section of the document', async () => {
    const model = await buildReportModel({ period: week, metrics, now: at(200) });
    const en = JSON.stringify(eventBlocks(sectionContext(model, 'en')));
    expect(en).toContain('Top talkers');
    expect(en).toContain('995 events came in storms');
    const zhDoc = buildDocument(model, 'zh-CN');
    expect(zhDoc.sections[8]!.title).toBe('九、事件统计');
    const zh = JSON.stringify(zhDoc.sections[8]!.blocks);
    expect(zh).toContain('事件最多的设备');
    expect(zh).toContain('core-sw');
    const md = renderMarkdown(buildDocument(model, 'en'));
    expect(md).toContain('9. Events');
    expect(md).toMatch(/\| core-sw \| 1,001 \|/);
  });

  it('says so when a period has no events, and when the source cannot count them', async () => {
    const empty = await buildReportModel({ period: weekPeriod('2026-W40', 'Asia/Shanghai'), metrics, now: at(200) });
    expect(empty.events?.total).toBe(0);
    const ctx = sectionContext(empty, 'zh-CN');
    expect(eventBlocks(ctx)).toEqual([ctx.noDataNote]);
    const model = await buildReportModel({ period: week, metrics, now: at(200) });
    expect(eventBlocks(sectionContext({ ...model, events: undefined }, 'en'))).toEqual([{ type: 'p', text: 'Events are not counted by this report source.', tone: 'note' }]);
    expect(eventBlocks(sectionContext({ ...model, hasData: true, events: { ...model.events!, total: 0 } }, 'en'))).toEqual([{ type: 'p', text: 'No trap, syslog or poll events in this period.' }]);
  });
});
