import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlaStore } from '../../src/alerting/escalation/sla.js';
import { influxSectionSchema } from '../../src/config/sections/influx.js';
import { openStateDb, type Db } from '../../src/core/database.js';
import type { Sample } from '../../src/core/sample.js';
import { renderReport } from '../../src/reports/generate.js';
import { buildReportModel } from '../../src/reports/model/build.js';
import type { ModelInputs, ReportModel } from '../../src/reports/model/types.js';
import { dayPeriod, lastCompleteDay, previousPeriod } from '../../src/reports/period.js';
import { reportCalendars, reportOnCall } from '../../src/reports/sources/calendars.js';
import { InfluxMetricsSource } from '../../src/reports/sources/influx-metrics.js';
import { MemoryIncidentSource } from '../../src/reports/sources/memory-incidents.js';
import { fromEscalationSla } from '../../src/reports/sources/sla-grade.js';
import type { IncidentRecord } from '../../src/reports/sources/types.js';
import { ALWAYS, buildCalendar } from '../../src/service/calendar.js';
import { loadHolidayRegion, SHIPPED_CALENDAR_DIR } from '../../src/service/holidays.js';
import { calendarSpecSchema } from '../../src/service/schema.js';
import { createInfluxSink } from '../../src/storage/index.js';
import { main } from '../../src/cli/main.js';
import { incident, notifyConfig, threeTierYaml } from '../alerting/escalation/notify-fixture.js';
import { realInfluxd } from '../helpers/real-parts.js';
import { tempDir } from '../helpers/tmp.js';

// The daily summary (日报) from a real influxd seeded through Noctua's writer, with SLA clocks kept by escalation's
// own SlaStore in a SQLite state database under a 5x8 calendar with the PRC holidays. Every expected figure is
// worked out here by hand from the plan.
const SH = 'Asia/Shanghai';
const BERLIN = 'Europe/Berlin';
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** An instant written as Shanghai wall time (UTC+8): "2026-10-01 10:00". */
const sh = (text: string) => new Date(Date.parse(`${text.replace(' ', 'T')}:00+08:00`));

const tmp = tempDir('noctua-daily-report-');
let influx: Awaited<ReturnType<typeof realInfluxd>>;
let metrics: InfluxMetricsSource;
let db: Db;
let sla: SlaStore;
const office = buildCalendar('office-5x8', calendarSpecSchema.parse({ timezone: SH, hours: ['08:30-17:30'], holidays: 'cn' }), loadHolidayRegion(SHIPPED_CALENDAR_DIR, 'cn'));
const calendars = reportCalendars({ calendar: 'office-5x8', serviceCalendars: new Map([['7x24', ALWAYS], ['office-5x8', office]]) });

const tags = (device: string, site: string, cls: string) => ({ device, site, class: cls, vendor: 'huawei' });
const INVENTORY = [
  { name: 'core-sw-01', site: 'hq', class: 'switch' },
  { name: 'fw-01', site: 'branch', class: 'firewall' },
  { name: 'ap-01', site: 'branch', class: 'wireless' },
];

/** One ICMP round a minute for each inventory device over [from, to), core-sw-01 down over [downFrom, downTo). */
function icmp(from: number, to: number, down?: [number, number]): Sample[] {
  const out: Sample[] = [];
  for (let t = from; t < to; t += MIN) {
    for (const d of INVENTORY) {
      const isDown = d.name === 'core-sw-01' && down !== undefined && t >= down[0] && t < down[1];
      out.push({ measurement: 'icmp', tags: tags(d.name, d.site, d.class), time: new Date(t), fields: isDown
        ? { sent: 3n, received: 0n, loss_pct: 100, up: false }
        : { sent: 3n, received: 3n, loss_pct: 0, rtt_min_ms: 1, rtt_avg_ms: 2, rtt_max_ms: 3, jitter_ms: 0.1, up: true } });
    }
  }
  return out;
}

function event(device: string, source: 'trap' | 'syslog', type: string, time: Date): Sample {
  const d = INVENTORY.find((x) => x.name === device)!;
  return { measurement: 'event', tags: { ...tags(device, d.site, d.class), type, source }, fields: { message: `${device} ${type}` }, time };
}

const holiday = dayPeriod('2026-10-01', SH);
const berlinLong = dayPeriod('2026-10-25', BERLIN);
const berlinShort = dayPeriod('2026-03-29', BERLIN);

/** Escalation's SLA record of one incident graded at `asOf`, with the service time its clock has run (as the alert-store source reads it). */
function graded(id: string, asOf: Date) {
  const r = sla.get(id, asOf.getTime())!;
  return fromEscalationSla(r, r.resolvedAt && r.resolvedAt <= asOf ? undefined : sla.clock(id)!.elapsed(asOf.getTime()));
}

/** The incidents of the holiday, their clocks kept by escalation's SlaStore in the state database. */
function holidayIncidents(): IncidentRecord[] {
  // INC-1: P2 under 5x8, opened Wednesday 30 Sep 16:00, acknowledged at 16:10, open over the whole National Day week.
  sla.opened(incident('INC-1', 'P2', sh('2026-09-30 16:00')), { respond: 30 * MIN, resolve: 4 * HOUR }, 'office-5x8');
  sla.paged('INC-1');
  sla.acknowledged('INC-1', sh('2026-09-30 16:10'), 'alice');
  // INC-2: P3 under 5x8 opened on the holiday, paused at once (waiting for the customer) and still paused.
  sla.opened(incident('INC-2', 'P3', sh('2026-10-01 09:00'), { device: 'fw-01', site: 'branch' }), { respond: 60 * MIN, resolve: 8 * HOUR }, 'office-5x8');
  sla.paged('INC-2');
  sla.pause('INC-2', { reason: 'waiting-for-customer', by: 'bob', at: sh('2026-10-01 10:00') });
  // INC-3: P1 under 7x24 during core-sw-01's outage: acknowledged in 5 min, resolved in an hour.
  sla.opened(incident('INC-3', 'P1', sh('2026-10-01 10:00')), { respond: 15 * MIN, resolve: 2 * HOUR }, '7x24');
  sla.paged('INC-3');
  sla.acknowledged('INC-3', sh('2026-10-01 10:05'), 'carol');
  sla.resolved('INC-3', sh('2026-10-01 11:00'));
  const asOf = holiday.end;
  return [
    { id: 'INC-1', title: 'core-sw-01 unreachable', severity: 'P2', device: 'core-sw-01', site: 'hq', openedAt: sh('2026-09-30 16:00'), acknowledgedAt: sh('2026-09-30 16:10'), sla: graded('INC-1', asOf) },
    { id: 'INC-2', title: 'fw-01 CPU high', severity: 'P3', device: 'fw-01', site: 'branch', openedAt: sh('2026-10-01 09:00'), sla: graded('INC-2', asOf) },
    { id: 'INC-3', title: 'core-sw-01 down', severity: 'P1', device: 'core-sw-01', site: 'hq', openedAt: sh('2026-10-01 10:00'), acknowledgedAt: sh('2026-10-01 10:05'), resolvedAt: sh('2026-10-01 11:00'), sla: graded('INC-3', asOf) },
    // Resolved the day before: not part of the day.
    { id: 'INC-0', title: 'old', severity: 'P4', device: 'ap-01', openedAt: sh('2026-09-29 10:00'), resolvedAt: sh('2026-09-30 12:00') },
  ];
}

let model: ReportModel;
const text: Record<'zh' | 'en', string> = { zh: '', en: '' };

async function daily(period: ReturnType<typeof dayPeriod>, over: Partial<ModelInputs> = {}): Promise<ReportModel> {
  return buildReportModel({ period, metrics, inventory: INVENTORY, now: new Date(period.end.getTime() + 8.5 * HOUR), ...over });
}

beforeAll(async () => {
  influx = await realInfluxd();
  // Raw retention long enough for fixed days in 2026 whenever the test runs.
  const settings = influxSectionSchema.parse({ url: influx.url, database: 'noctua', precision: 's', retention: { raw: 4000 * DAY, longTerm: 4000 * DAY } });
  const sink = await createInfluxSink({ settings, stateDir: join(tmp.dir, 'writer'), log: pino({ level: 'silent' }) });
  const s = holiday.start.getTime();
  const samples = [
    // The holiday, with a minute either side that must not count; core-sw-01 down 10:00-11:00 local.
    ...icmp(s - MIN, holiday.end.getTime() + MIN, [sh('2026-10-01 10:00').getTime(), sh('2026-10-01 11:00').getTime()]),
    ...icmp(berlinLong.start.getTime(), berlinLong.end.getTime(), [berlinLong.start.getTime() + 2 * HOUR, berlinLong.start.getTime() + 2 * HOUR + 30 * MIN]),
    ...icmp(berlinShort.start.getTime(), berlinShort.end.getTime()),
    ...[1, 2, 3, 4].map((i) => event('core-sw-01', 'trap', 'link-down', sh(`2026-10-01 10:0${i}`))),
    event('fw-01', 'syslog', 'config-change', sh('2026-10-01 15:00')),
    event('fw-01', 'syslog', 'config-change', sh('2026-10-02 00:30')),
  ];
  for (let i = 0; i < samples.length; i += 20_000) await sink.write(samples.slice(i, i + 20_000));
  await sink.flush();
  expect(sink.stats().writtenPoints).toBe(samples.length);
  await sink.close();
  metrics = new InfluxMetricsSource({ url: influx.url, database: 'noctua' });
  db = openStateDb(tmp.dir, 'state.db');
  sla = new SlaStore(db, { calendars: calendars.calendars });
  model = await daily(holiday, {
    incidents: new MemoryIncidentSource(holidayIncidents()), calendar: calendars.calendar,
    // Alice and Bob take the engineers' pager in turns at 09:00 Shanghai, from 2026-01-01 (Alice).
    onCall: reportOnCall(notifyConfig(tmp.dir, threeTierYaml('http://127.0.0.1:9')), SH),
    configBackup: {
      changes: async (r) => [{ device: 'fw-01', time: sh('2026-10-01 15:00'), added: 3, removed: 1, first: false, trigger: 'syslog', by: 'admin', commit: 'abc1234' }]
        .filter((c) => c.time >= r.start && c.time < r.end),
      complianceAt: async (at) => [{ device: 'fw-01', results: [{ rule: 'ssh-only', title: { en: 'SSH only', 'zh-CN': '仅允许 SSH' }, severity: 'major', passed: at < sh('2026-10-01 15:00'), violations: 1 }] }],
    },
    assets: {
      assets: async () => [],
      events: async () => ({ total: 1, items: [{ seq: 1, at: sh('2026-10-01 14:00'), device: 'core-sw-01', kind: 'module-swapped', entity: '17', part: 'module', name: 'PSU2', from: 'SN-OLD', to: 'SN-NEW' }] }),
    },
  });
  text.zh = (await renderReport(model, 'zh-CN', 'md')).content.toString('utf8');
  text.en = (await renderReport(model, 'en', 'md')).content.toString('utf8');
}, 120_000);

afterAll(async () => {
  db?.close();
  await influx?.cleanup();
  tmp.cleanup();
});

describe('daily summary periods', () => {
  it('covers the local day before `now`, and a switch day in a DST zone is 23 or 25 hours', () => {
    expect(lastCompleteDay(sh('2026-10-02 08:30'), SH).label).toBe('2026-10-01');
    // 00:30 on 2 Oct in Shanghai is still 1 Oct in UTC: the day is the local one.
    expect(lastCompleteDay(new Date('2026-10-01T16:30:00Z'), SH).label).toBe('2026-10-01');
    expect(holiday.end.getTime() - holiday.start.getTime()).toBe(24 * HOUR);
    expect(holiday.start.toISOString()).toBe('2026-09-30T16:00:00.000Z');
    expect(berlinLong.end.getTime() - berlinLong.start.getTime()).toBe(25 * HOUR);
    expect(berlinShort.end.getTime() - berlinShort.start.getTime()).toBe(23 * HOUR);
    expect(previousPeriod(holiday).label).toBe('2026-09-30');
    expect(() => dayPeriod('2026-02-30', SH)).toThrow('expected a date such as 2026-11-16, got "2026-02-30"');
  });
});

describe('daily summary of a holiday in Asia/Shanghai (real influxd, SLA clocks in SQLite)', () => {
  it('gives availability per site and class from the day\'s probes only (the minute either side left out)', () => {
    const d = model.daily!;
    expect(model.devices.find((x) => x.device === 'core-sw-01')!.icmpSamples).toBe(1440);
    const hq = d.bySite.find((g) => g.key === 'hq')!;
    expect(hq.availabilityPct).toBeCloseTo((1380 / 1440) * 100, 9);
    expect(hq.downtimeMs).toBeCloseTo(HOUR, 3);
    expect(d.bySite.find((g) => g.key === 'branch')).toMatchObject({ devices: 2, withData: 2, availabilityPct: 100 });
    expect(d.byClass.map((g) => g.key)).toEqual(['firewall', 'switch', 'wireless']);
    expect(d.byClass.find((g) => g.key === 'switch')!.availabilityPct).toBeCloseTo((1380 / 1440) * 100, 9);
    // Below the 99.9 % threshold: emphasised.
    expect(text.en).toContain('| hq | 1 (1) | **95.833 %** | 1 h |');
    expect(text.zh).toContain('| hq | 1 (1) | **95.833%** | 1小时 |');
    expect(text.en).toContain('| branch | 2 (2) | 100.000 % | 0 s |');
  });

  it('counts the incidents opened, acknowledged and resolved on the day, and says the day was a holiday in the calendar', () => {
    expect(model.daily!.incidents).toEqual({ opened: 2, acknowledged: 1, resolved: 1, openAtEnd: 2 });
    expect(model.daily!.serviceDay).toEqual({ calendar: 'office-5x8', serviceMs: 0, holiday: '国庆节 National Day' });
    expect(text.en).toContain('A public holiday (国庆节 National Day) in calendar office-5x8: SLA clocks in it did not run.');
    expect(text.zh).toContain('服务日历 office-5x8 中为法定节假日（国庆节 National Day），SLA 不计时。');
    expect(text.en).toContain('# Daily Network Operations Summary 2026-10-01');
    expect(text.zh).toContain('网络运维日报 2026-10-01');
  });

  it('hands over the open incidents with age and where each clock stands in service time: the holiday held INC-1, the pause holds INC-2', () => {
    const carried = model.daily!.carriedOver!;
    expect(carried.map((c) => c.row.id)).toEqual(['INC-1', 'INC-2']);
    const [one, two] = carried as [typeof carried[0], typeof carried[0]];
    // 30 Sep 16:00 to 2 Oct 00:00 is 32 h on the wall; the 5x8 clock ran only 16:00-17:30 on 30 Sep.
    expect(one.ageMs).toBe(32 * HOUR);
    expect(one.row.sla.serviceElapsedMs).toBe(90 * MIN);
    expect(one).toMatchObject({ response: 'met', resolution: 'running' });
    // 4 h target, 90 min run: 150 min left from the next service day, Thursday 8 Oct 08:30 -> 11:00.
    expect(one.row.sla.resolveBy).toEqual(sh('2026-10-08 11:00'));
    expect(two).toMatchObject({ response: 'paused', resolution: 'paused', ageMs: 15 * HOUR });
    expect(two.row.sla.serviceElapsedMs).toBe(0);
    expect(text.en).toContain('running<br>due 2026-10-08 11:00');
    expect(text.en).toContain('calendar office-5x8<br>service time run 1 h 30 min');
    expect(text.en).toContain('paused<br>held by a pause');
    expect(text.zh).toContain('计时中<br>截止 2026-10-08 11:00');
    expect(text.zh).toContain('已计服务时间 1小时30分钟');
    // Under 7x24 the same incident would have missed its 4 h resolution on the holiday; the 5x8 clock did not.
    expect(text.en).not.toMatch(/\| INC-1 \|[^\n]*breached/);
  });

  it('hands the pager over: who held each schedule as the day ended, until the 09:00 hand-off, and who takes over', () => {
    // 2026-10-01 is day 273 from 2026-01-01: odd, so Bob holds it from 09:00 that day to 09:00 on the 2nd, then Alice.
    expect(model.daily!.handOver).toEqual([{ schedule: 'engineers', holder: 'Bob', override: false, until: sh('2026-10-02 09:00'), next: 'Alice' }]);
    expect(text.en).toContain('On-call hand-over');
    expect(text.en).toMatch(/\| engineers \| Bob \| 2026-10-02 09:00 \| Alice \|/);
    expect(text.zh).toContain('值班交接');
  });

  it('lists the day\'s incidents, the top faulty devices, events, configuration changes, compliance failures and asset changes', () => {
    expect(model.incidents!.filter((i) => i.openedInPeriod).map((i) => i.id)).toEqual(['INC-2', 'INC-3']);
    expect(model.daily!.topFaulty[0]).toMatchObject({ device: 'core-sw-01', incidents: 1, events: 4 });
    expect(model.daily!.topFaulty[1]).toMatchObject({ device: 'fw-01', incidents: 1, events: 1 });
    // The syslog event 30 minutes after midnight belongs to the next day.
    expect(model.events).toMatchObject({ total: 5, bySource: { trap: 4, syslog: 1, poll: 0 } });
    expect(model.configBackup!.perDevice).toEqual([expect.objectContaining({ device: 'fw-01', versions: 1, added: 3, removed: 1 })]);
    expect(model.configBackup!.compliance.newViolations.map((v) => v.rule)).toEqual(['ssh-only']);
    for (const title of ['## 1. The day at a glance', "## 2. The day's incidents", '## 3. Still open at the end of the day (handed over)', '## 4. Devices with the most trouble', '## 5. On-call hand-over', '## 6. Events', '## 7. Configuration changes', '## 8. Configuration compliance', '## 9. Asset changes', '## 10. Recommendations']) {
      expect(text.en).toContain(title);
    }
    for (const title of ['## 一、当日概况', '## 三、日终未关闭事件（交接）', '## 五、值班交接', '## 九、资产变更']) expect(text.zh).toContain(title);
    expect(text.en).toMatch(/\| core-sw-01 \| module \(#17\)|PSU2 \(#17\)/);
    expect(text.en).toContain('SN-OLD → SN-NEW');
    // No weekly-only section shows up in the daily summary.
    expect(text.en).not.toContain('Capacity outlook');
    expect(text.en).not.toContain('Device inspection');
  });
});

describe('daily summary of an empty day and of DST switch days', () => {
  it('says an empty day has no data instead of printing zeros as fine', async () => {
    const empty = await daily(dayPeriod('2026-10-05', SH), { incidents: new MemoryIncidentSource([]), calendar: calendars.calendar });
    expect(empty.hasData).toBe(false);
    expect(empty.summary.verdict).toBe('no-data');
    const en = (await renderReport(empty, 'en', 'md')).content.toString('utf8');
    const zh = (await renderReport(empty, 'zh-CN', 'md')).content.toString('utf8');
    expect(en).toContain('No monitoring data was recorded for this period.');
    expect(zh).toContain('本报告周期内没有任何监测数据');
    expect(en).not.toMatch(/100(\.0+)? ?%/);
    expect(en).not.toContain('Availability per site');
    expect(en).toContain('No data');
  });

  it('reads the 25-hour day of the autumn switch in Europe/Berlin as one day of 1,500 probe rounds', async () => {
    const m = await daily(berlinLong);
    const core = m.devices.find((d) => d.device === 'core-sw-01')!;
    expect(core.icmpSamples).toBe(1500);
    expect(core.availabilityPct).toBeCloseTo((1470 / 1500) * 100, 9);
    expect(core.downtimeMs).toBeCloseTo(30 * MIN, 3);
    expect(m.availabilityByDay).toHaveLength(1);
    expect(m.daily!.lengthMs).toBe(25 * HOUR);
    const en = (await renderReport(m, 'en', 'md')).content.toString('utf8');
    expect(en).toContain('This day was 25 hours long (daylight-saving switch).');
    expect(en).toContain('Period: Oct 25, 2026 · 2026-10-25');
  });

  it('reads the 23-hour day of the spring switch as one day of 1,380 probe rounds', async () => {
    const m = await daily(berlinShort);
    expect(m.devices.map((d) => d.icmpSamples)).toEqual([1380, 1380, 1380]);
    expect(m.daily!.bySite.every((g) => g.availabilityPct === 100)).toBe(true);
    const zh = (await renderReport(m, 'zh-CN', 'md')).content.toString('utf8');
    expect(zh).toContain('本日共 23 小时（夏令时切换日）。');
  });

  it('renders the daily summary as HTML and PDF in both languages', async () => {
    for (const lang of ['zh-CN', 'en'] as const) {
      const html = (await renderReport(model, lang, 'html')).content.toString('utf8');
      expect(html).toContain(lang === 'en' ? 'Still open at the end of the day' : '日终未关闭事件');
      const pdf = (await renderReport(model, lang, 'pdf')).content;
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    }
  }, 60_000);

  it('noctua report daily --day writes the summary from a config directory, reading the day in notify.yaml\'s calendar', async () => {
    const configDir = join(tmp.dir, 'config');
    mkdirSync(configDir, { recursive: true });
    const stateDir = join(tmp.dir, 'cli-state');
    writeFileSync(join(configDir, 'noctua.yaml'), `stateDir: ${stateDir}\ntimezone: ${SH}\nlocale: zh-CN\ninflux:\n  url: ${influx.url}\n  database: noctua\n`);
    writeFileSync(join(configDir, 'devices.yaml'), `devices:\n${INVENTORY.map((d, i) => `  - { name: ${d.name}, address: 127.0.0.${i + 10}, class: ${d.class} }`).join('\n')}\n`);
    writeFileSync(join(configDir, 'notify.yaml'), threeTierYaml('http://127.0.0.1:9', 'calendar: office-5x8\ncalendars:\n  office-5x8: { timezone: Asia/Shanghai, hours: ["08:30-17:30"], holidays: cn }\n'));
    expect(await main(['report', 'daily', '--day', '2026-10-01', '--lang', 'en', '--format', 'md', '--config', configDir])).toBe(0);
    const md = readFileSync(join(stateDir, 'reports', 'daily', '2026-10-01.en.md'), 'utf8');
    expect(md).toContain('# Daily Network Operations Summary 2026-10-01');
    expect(md).toContain('A public holiday (国庆节 National Day) in calendar office-5x8: SLA clocks in it did not run.');
    expect(md).toContain('| hq | 1 (1) | **95.833 %** | 1 h |');
    // No state database next to this config: incidents are said to be missing, not zero.
    expect(md).toContain('Incident store not connected');
  }, 60_000);
});
