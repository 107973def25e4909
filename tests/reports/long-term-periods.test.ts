import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { influxSectionSchema, type InfluxSection } from '../../src/config/sections/influx.js';
import { systemClock } from '../../src/core/clock.js';
import type { Sample } from '../../src/core/sample.js';
import { buildReportModel } from '../../src/reports/model/build.js';
import { renderReport } from '../../src/reports/generate.js';
import { monthPeriod, yearPeriod } from '../../src/reports/period.js';
import { parseReportFlags, periodFromFlags } from '../../src/cli/report.js';
import { UsageError } from '../../src/cli/command.js';
import { choosePolicy, policyFor, reportMetricsSource } from '../../src/reports/sources/influx-retention.js';
import { createInfluxSink } from '../../src/storage/index.js';
import { createHttpTransport } from '../../src/storage/influx/transport.js';
import { realInfluxd } from '../helpers/real-parts.js';
import { tempDir } from '../helpers/tmp.js';

const TZ = 'Asia/Shanghai';
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** Thirteen whole months, 2025-11 to 2026-11, all but the last older than the 30-day raw retention. */
const FIRST = monthPeriod('2025-11', TZ);
const LAST = monthPeriod('2026-11', TZ);
/** branch-rt-01 answers nothing for the 24 hourly buckets from 2026-03-10 00:00 Shanghai time. */
const OUTAGE_START = Date.parse('2026-03-09T16:00:00Z');
const OUTAGE_END = OUTAGE_START + DAY;

/** Hourly downsampled buckets, as the continuous queries would write them into `long_term` (docs/STORAGE.md). */
function downsampledHistory(): Sample[] {
  const out: Sample[] = [];
  for (let t = FIRST.start.getTime(); t < LAST.end.getTime(); t += HOUR) {
    const month = new Date(t + 8 * HOUR).getUTCMonth() + 1; // 1..12 in Shanghai time (UTC+8, no DST)
    for (const device of ['core-sw-01', 'branch-rt-01']) {
      const down = device === 'branch-rt-01' && t >= OUTAGE_START && t < OUTAGE_END;
      const tags = { device, site: device === 'core-sw-01' ? 'hq' : 'shanghai', class: device === 'core-sw-01' ? 'switch' : 'router', vendor: 'huawei' };
      out.push({
        measurement: 'icmp', tags, time: new Date(t),
        fields: down
          ? { mean_received: 0, max_received: 0n, mean_loss_pct: 100, max_loss_pct: 100 }
          : { mean_received: 3, max_received: 3n, mean_loss_pct: 0, max_loss_pct: 0, mean_rtt_avg_ms: 2, max_rtt_max_ms: 5 },
      });
      // CPU climbs by 5 points a month, so the capacity trend is known: month m peaks at 10 + 5m %.
      out.push({ measurement: 'cpu', tags, time: new Date(t), fields: { mean_load_pct: 5 + month, max_load_pct: 10 + 5 * month } });
    }
  }
  return out;
}

describe('reports over the downsampled retention policy (real influxd, seeded through Noctua\'s writer)', () => {
  let influx: Awaited<ReturnType<typeof realInfluxd>>;
  let settings: InfluxSection;
  const tmp = tempDir('noctua-long-term-');
  const now = new Date(LAST.end.getTime() + 36 * HOUR); // 2026-12-02 12:00 Shanghai
  const clock = { ...systemClock, now: () => now, ms: () => now.getTime() };

  beforeAll(async () => {
    influx = await realInfluxd();
    settings = influxSectionSchema.parse({ url: influx.url, database: 'noctua', precision: 's', retention: { raw: 30 * DAY, longTerm: 800 * DAY } });
    // The first writer sets the database up (raw default, long_term, continuous queries) as at every start.
    const setUp = await createInfluxSink({ settings, stateDir: join(tmp.dir, 'w1'), log: pino({ level: 'silent' }) });
    await setUp.close();
    const sink = await createInfluxSink({
      settings, stateDir: join(tmp.dir, 'w2'), log: pino({ level: 'silent' }),
      transport: createHttpTransport(settings, { retentionPolicy: 'long_term' }), setUp: async () => undefined,
    });
    await sink.write(downsampledHistory());
    await sink.flush();
    await sink.close();
  }, 120_000);

  afterAll(async () => {
    await influx?.cleanup();
    tmp.cleanup();
  });

  it('reads a range inside the raw retention from raw; an older one from long_term only when it reaches a day further back', () => {
    expect(policyFor({ start: new Date(now.getTime() - 29 * DAY), end: now }, 30 * DAY, now)).toBe('raw');
    expect(policyFor({ start: new Date(now.getTime() - 31 * DAY), end: now }, 30 * DAY, now)).toBe('ask');
    const t = now.getTime();
    expect(choosePolicy(undefined, undefined)).toBe('raw');
    expect(choosePolicy(new Date(t), undefined)).toBe('raw');
    expect(choosePolicy(undefined, new Date(t))).toBe('long_term');
    // Last month on the 1st: raw has lost a few hours of its first day; its finer samples still win.
    expect(choosePolicy(new Date(t + 6 * HOUR), new Date(t))).toBe('raw');
    expect(choosePolicy(new Date(t + 25 * HOUR), new Date(t))).toBe('long_term');
  });

  it('a monthly report of a month older than the raw retention has data, with the outage counted', async () => {
    const model = await buildReportModel({ period: monthPeriod('2026-03', TZ), metrics: reportMetricsSource(settings, clock), now });
    expect(model.hasData).toBe(true);
    expect(model.summary.verdict).not.toBe('no-data');
    const byDevice = new Map(model.devices.map((d) => [d.device, d]));
    // March has 31 × 24 = 744 hourly buckets; branch-rt-01 lost 24 of them.
    expect(byDevice.get('core-sw-01')?.availabilityPct).toBeCloseTo(100, 6);
    expect(byDevice.get('branch-rt-01')?.availabilityPct).toBeCloseTo((720 / 744) * 100, 6);
    expect(model.summary.availabilityPct).toBeCloseTo((100 + (720 / 744) * 100) / 2, 6);
    expect(byDevice.get('branch-rt-01')?.cpuPeakPct).toBe(25);
    // The outage day reads 50 % fleet-wide (one of two devices), the others 100 %.
    const outageDay = model.availabilityByDay.find((d) => d.day === '2026-03-10');
    expect(outageDay?.pct).toBeCloseTo(50, 6);
    expect(model.availabilityByDay.find((d) => d.day === '2026-03-11')?.pct).toBeCloseTo(100, 6);
  });

  it('reads the raw source alone when Noctua does not manage the database: the old month is then no data', async () => {
    const model = await buildReportModel({ period: monthPeriod('2026-03', TZ), metrics: reportMetricsSource({ ...settings, manageDatabase: false }, clock), now });
    expect(model.hasData).toBe(false);
    expect(model.summary.verdict).toBe('no-data');
  });

  it('a yearly report of 2026 shows every month, read from long_term, with hand-checked figures', async () => {
    const model = await buildReportModel({ period: yearPeriod('2026', TZ), metrics: reportMetricsSource(settings, clock), now });
    const months = model.months ?? [];
    expect(months.map((m) => m.month)).toEqual(['2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10', '2026-11', '2026-12']);
    // Seeded 2025-11 to 2026-11: every month of 2026 up to November has data; December has not happened.
    expect(months.slice(0, 11).every((m) => m.hasData && m.devices === 2)).toBe(true);
    expect(months[11]).toMatchObject({ month: '2026-12', hasData: false, devices: 0 });
    expect(months[2]?.availabilityPct).toBeCloseTo((100 + (720 / 744) * 100) / 2, 6);
    for (const i of [0, 1, 3, 10]) expect(months[i]?.availabilityPct).toBeCloseTo(100, 6);
    // CPU peak climbs 5 points a month: January 15 %, November 65 %.
    expect(months.slice(0, 11).map((m) => m.cpuPeakPct)).toEqual([15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65]);
    // No incident store connected: the months say so rather than 0.
    expect(months[0]?.incidents).toBeUndefined();
    // The year as a whole (8,016 hourly buckets Jan–Nov for each device, 24 lost) and last year for comparison.
    expect(model.hasData).toBe(true);
    expect(model.previous.label).toBe('2025');

    const zh = (await renderReport(model, 'zh-CN', 'md')).content.toString('utf8');
    const en = (await renderReport(model, 'en', 'md')).content.toString('utf8');
    expect(zh).toContain('网络运维服务年报 2026');
    expect(zh).toContain('逐月统计');
    expect(zh).toMatch(/\| 2026-03 \| 98\.387%/);
    expect(zh).toMatch(/\| 2026-12 \| 无数据/);
    expect(en).toContain('Annual Network Service Report 2026');
    expect(en).toContain('Month by month');
    expect(en).toMatch(/\| 2026-03 \| 98\.387 %/);
    expect(en).toMatch(/\| 2026-12 \| no data/);
  });

  it('`noctua report yearly` takes --year and refuses what does not belong to it', () => {
    const f = parseReportFlags(['yearly', '--year', '2025']);
    expect(periodFromFlags(f, TZ, now)).toMatchObject({ kind: 'yearly', label: '2025' });
    expect(periodFromFlags(parseReportFlags(['yearly']), TZ, now).label).toBe('2025');
    expect(() => periodFromFlags(parseReportFlags(['yearly', '--year', '26']), TZ, now)).toThrow(/--year: expected a year such as 2026, got "26"/);
    expect(() => parseReportFlags(['yearly', '--month', '2026-03'])).toThrow(UsageError);
    expect(() => parseReportFlags(['monthly', '--year', '2026'])).toThrow(/--year belongs to "report yearly"/);
  });
});
