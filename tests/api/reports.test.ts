import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.js';
import { reportStoreFor } from '../../src/api/routes/reports-store.js';
import { influxSectionSchema } from '../../src/config/sections/influx.js';
import type { Sample } from '../../src/core/sample.js';
import { InfluxMetricsSource } from '../../src/reports/sources/influx-metrics.js';
import { MemoryIncidentSource } from '../../src/reports/sources/memory-incidents.js';
import { createInfluxSink } from '../../src/storage/index.js';
import { realInfluxd } from '../helpers/real-parts.js';
import { tempDir } from '../helpers/tmp.js';
import { apiSettings, bearer, MemoryNoc, TOKENS } from './memory-noc.js';

const TZ = 'Asia/Shanghai';
const MIN = 60_000;

/** Today as a local calendar day in the report time zone. */
function localDay(at: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

function lastLocalNoon(at: Date): Date {
  const noon = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate(), 4);
  return new Date(noon <= at.getTime() ? noon : noon - 24 * 60 * MIN);
}

describe('/api/v1/reports over the real report model, renderers and a real influxd', () => {
  let influx: Awaited<ReturnType<typeof realInfluxd>>;
  const tmp = tempDir('noctua-api-reports-');
  const stateDir = join(tmp.dir, 'state');
  // The last local noon before now: the hour of data before it lies within one local day whenever the suite runs
  // (run at 00:13 in Shanghai, the down window fell on yesterday and the day read as normal). Shanghai keeps no DST.
  const now = lastLocalNoon(new Date());
  const today = localDay(now);
  let app: ReturnType<typeof buildApp>;

  beforeAll(async () => {
    influx = await realInfluxd();
    // An hour of pings from two devices, one of them down for 10 minutes, written through Noctua's own writer.
    const settings = influxSectionSchema.parse({ url: influx.url, database: 'noctua', precision: 's' });
    const sink = await createInfluxSink({ settings, stateDir: join(tmp.dir, 'writer'), log: pino({ level: 'silent' }) });
    const samples: Sample[] = [];
    const start = now.getTime() - 60 * MIN;
    for (let t = start; t < now.getTime(); t += MIN) {
      for (const device of ['core-sw-01', 'branch-rt-01']) {
        const up = !(device === 'branch-rt-01' && t >= start + 20 * MIN && t < start + 30 * MIN);
        samples.push({
          measurement: 'icmp', tags: { device, site: device === 'core-sw-01' ? 'hq' : 'shanghai', class: device === 'core-sw-01' ? 'switch' : 'router' },
          fields: up ? { up: true, loss_pct: 0, rtt_avg_ms: 1.2, sent: 3n, received: 3n } : { up: false, loss_pct: 100, sent: 3n, received: 0n },
          time: new Date(t),
        });
      }
    }
    await sink.write(samples);
    await sink.flush();
    await sink.close();
    const noc = new MemoryNoc(() => now);
    const services = {
      ...noc.services(),
      reports: reportStoreFor({
        stateDir, timeZone: TZ, locale: 'zh-CN', now: () => now,
        sources: () => ({
          metrics: new InfluxMetricsSource({ url: influx.url, database: 'noctua' }),
          incidents: new MemoryIncidentSource([]),
          inventory: [{ name: 'core-sw-01', site: 'hq', class: 'switch' }, { name: 'branch-rt-01', site: 'shanghai', class: 'router' }],
        }),
      }),
    };
    app = buildApp({ settings: apiSettings(), services, log: pino({ level: 'silent' }), now: () => now });
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await influx?.cleanup();
    tmp.cleanup();
  });

  it('generates a weekly report for a from/to range on demand (operator), stores it, and lists it for a viewer', async () => {
    const made = await app.inject({ method: 'POST', url: '/api/v1/reports', headers: bearer('operator'), payload: { kind: 'weekly', from: today, to: today, lang: 'en', format: 'html' } });
    expect(made.statusCode).toBe(201);
    const body = made.json();
    const label = `${today}_${today}`;
    expect(body.report).toMatchObject({ kind: 'custom', period: label, lang: 'en', format: 'html', url: `/api/v1/reports/custom/${label}.en.html` });
    expect(body.devicesInspected).toBe(2);
    // branch-rt-01 was down 10 of 60 minutes: that is a finding, so the verdict is abnormal.
    expect(body.verdict).toBe('abnormal');
    expect(existsSync(join(stateDir, 'reports', 'custom', `${label}.en.html`))).toBe(true);

    const listed = await app.inject({ url: '/api/v1/reports?kind=custom', headers: bearer('viewer') });
    expect(listed.statusCode).toBe(200);
    expect(listed.json().items).toEqual([expect.objectContaining({ period: label, lang: 'en', format: 'html', bytes: body.report.bytes })]);
  });

  it('downloads the stored report with its media type, and with the token in the query for links in notices', async () => {
    const label = `${today}_${today}`;
    const r = await app.inject({ url: `/api/v1/reports/custom/${label}.en.html`, headers: bearer('viewer') });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.body).toContain('core-sw-01');
    expect(r.body).toContain('branch-rt-01');
    const viaQuery = await app.inject({ url: `/api/v1/reports/custom/${label}.en.html?access_token=${TOKENS.viewer}` });
    expect(viaQuery.statusCode).toBe(200);
    expect(viaQuery.body).toBe(r.body);
  });

  it('prints a PDF and a Markdown report with their own media types', async () => {
    const pdf = await app.inject({ method: 'POST', url: '/api/v1/reports', headers: bearer('operator'), payload: { kind: 'weekly', from: today, to: today, format: 'pdf' } });
    expect(pdf.statusCode).toBe(201);
    expect(pdf.json().report.lang).toBe('zh-CN');
    const got = await app.inject({ url: pdf.json().report.url, headers: bearer('viewer') });
    expect(got.headers['content-type']).toBe('application/pdf');
    expect(got.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    expect(got.headers['content-disposition']).toContain('attachment');
    const md = await app.inject({ method: 'POST', url: '/api/v1/reports', headers: bearer('operator'), payload: { kind: 'weekly', from: today, to: today, lang: 'en', format: 'md' } });
    const mdGot = await app.inject({ url: md.json().report.url, headers: bearer('viewer') });
    expect(mdGot.headers['content-type']).toBe('text/markdown; charset=utf-8');
    expect(mdGot.body).toContain('branch-rt-01');
  }, 60_000);

  it('answers 404 for a report that was never generated, and 400 for names that try to leave the report folder', async () => {
    const missing = await app.inject({ url: '/api/v1/reports/weekly/2020-W01.en.html', headers: bearer('viewer') });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().message).toBe('report weekly/2020-W01.en.html not found');
    // A file next to the reports that a traversal would reach if names were joined as given.
    mkdirSync(join(stateDir, 'reports'), { recursive: true });
    writeFileSync(join(stateDir, 'secret.en.html'), 'not a report');
    for (const file of ['..%2F..%2Fsecret.en.html', '..%2Fsecret.en.html', '2026-W47.en.html%00.pdf', 'x.en.html']) {
      const r = await app.inject({ url: `/api/v1/reports/weekly/${file}`, headers: bearer('viewer') });
      expect(r.statusCode, file).toBe(400);
      expect(r.json().issues[0].path).toBe('params.file');
    }
    const dotdot = await app.inject({ url: '/api/v1/reports/../secret.en.html', headers: bearer('viewer') });
    expect([400, 404]).toContain(dotdot.statusCode);
    expect(dotdot.body).not.toContain('not a report');
    const kind = await app.inject({ url: '/api/v1/reports/hourly/2026-12-01.en.html', headers: bearer('viewer') });
    expect(kind.statusCode).toBe(400);
    expect(kind.json().issues[0]).toMatchObject({ path: 'params.kind', expected: 'one of daily, weekly, monthly, yearly, custom' });
  });

  it('generates a yearly report (年报) with its month-by-month table and stores it under yearly/', async () => {
    const year = today.slice(0, 4);
    const made = await app.inject({ method: 'POST', url: '/api/v1/reports', headers: bearer('operator'), payload: { kind: 'yearly', year, lang: 'zh-CN', format: 'md' } });
    expect(made.statusCode).toBe(201);
    expect(made.json().report).toMatchObject({ kind: 'yearly', period: year, url: `/api/v1/reports/yearly/${year}.zh-CN.md` });
    const file = await app.inject({ url: `/api/v1/reports/yearly/${year}.zh-CN.md`, headers: bearer('viewer') });
    expect(file.statusCode).toBe(200);
    expect(file.body).toContain(`网络运维服务年报 ${year}`);
    expect(file.body).toContain('逐月统计');
  });

  it('generates the daily summary (日报) of a given day, stores it under daily/ and lets a viewer read it', async () => {
    const made = await app.inject({ method: 'POST', url: '/api/v1/reports', headers: bearer('operator'), payload: { kind: 'daily', day: today, lang: 'en', format: 'md' } });
    expect(made.statusCode).toBe(201);
    expect(made.json().report).toMatchObject({ kind: 'daily', period: today, url: `/api/v1/reports/daily/${today}.en.md` });
    expect(made.json().verdict).toBe('abnormal');
    const file = await app.inject({ url: `/api/v1/reports/daily/${today}.en.md`, headers: bearer('viewer') });
    expect(file.statusCode).toBe(200);
    expect(file.body).toContain(`# Daily Network Operations Summary ${today}`);
    expect(file.body).toContain('## 3. Still open at the end of the day (handed over)');
    const list = await app.inject({ url: '/api/v1/reports?kind=daily', headers: bearer('viewer') });
    expect(list.json().items.map((r: { period: string }) => r.period)).toEqual([today]);
  });

  it('refuses bad generate bodies with 400 naming each field and what was expected', async () => {
    const post = (payload: object) => app.inject({ method: 'POST', url: '/api/v1/reports', headers: bearer('operator'), payload });
    const cases: [object, string, string][] = [
      [{ kind: 'hourly' }, 'body.kind', 'one of daily, weekly, monthly, yearly'],
      [{ kind: 'daily', day: '2026-02-30' }, 'body.day', 'expected a date such as 2026-11-16'],
      [{ kind: 'daily', week: '2026-W47' }, 'body.week', 'no week for a daily report (week, from and to belong to weekly reports)'],
      [{ kind: 'weekly', day: '2026-11-16' }, 'body.day', 'no day for a weekly report (day belongs to daily reports)'],
      [{ kind: 'weekly', format: 'docx' }, 'body.format', 'one of html, pdf, md'],
      [{ kind: 'weekly', lang: 'fr' }, 'body.lang', 'one of zh-CN, en'],
      [{ kind: 'weekly', week: '2026-W60' }, 'body.week', 'week 60 does not exist in 2026 (weeks 1 to 53)'],
      [{ kind: 'weekly', week: 'last' }, 'body.week', 'expected an ISO week such as 2026-W47'],
      [{ kind: 'monthly', month: '2026-13' }, 'body.month', 'month 13 does not exist (1 to 12)'],
      [{ kind: 'monthly', week: '2026-W47' }, 'body.week', 'no week for a monthly report (week, from and to belong to weekly reports)'],
      [{ kind: 'weekly', month: '2026-11' }, 'body.month', 'no month for a weekly report (month belongs to monthly reports)'],
      [{ kind: 'weekly', from: '2026-11-16' }, 'body.to', 'from and to together (both days are included)'],
      [{ kind: 'weekly', from: '2026-11-16', to: 'soon' }, 'body.to', 'expected a date such as 2026-11-22'],
      [{ kind: 'weekly', from: '2026-11-22', to: '2026-11-16' }, 'body.to', 'to (2026-11-16) is before from (2026-11-22)'],
      [{ kind: 'weekly', week: '2026-W47', from: '2026-11-16', to: '2026-11-22' }, 'body.week', 'either week or from/to, not both'],
      [{ kind: 'weekly', colour: 'red' }, 'body.colour', 'no such field (expected one of: kind, day, week, from, to, month, year, lang, format)'],
      [{ kind: 'yearly', year: '26' }, 'body.year', 'expected a year such as 2026'],
      [{ kind: 'yearly', month: '2026-11' }, 'body.month', 'no month for a yearly report (month belongs to monthly reports)'],
      [{ kind: 'monthly', year: '2026' }, 'body.year', 'no year for a monthly report (year belongs to yearly reports)'],
    ];
    for (const [payload, path, expected] of cases) {
      const r = await post(payload);
      expect(r.statusCode, JSON.stringify(payload)).toBe(400);
      expect(r.json().issues, JSON.stringify(payload)).toContainEqual(expect.objectContaining({ path, expected }));
    }
  });

  it('lets a viewer list and download but not generate; no token is a 401', async () => {
    const asViewer = await app.inject({ method: 'POST', url: '/api/v1/reports', headers: bearer('viewer'), payload: { kind: 'weekly' } });
    expect(asViewer.statusCode).toBe(403);
    expect(asViewer.json().message).toBe('role viewer may not do this; it needs operator');
    expect((await app.inject({ url: '/api/v1/reports' })).statusCode).toBe(401);
    expect((await app.inject({ url: '/api/v1/reports?access_token=' + TOKENS.viewer })).statusCode).toBe(401);
  });
});
