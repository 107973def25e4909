/**
 * Writes the sample reports in docs/examples/ from a real influxd (Debian's, started in a temporary
 * directory) seeded through Noctua's own writer with the known week the report tests use, plus the events,
 * problem record, asset register and configuration versions of scripts/report-example-sources.ts:
 * the weekly report of the week, the monthly report of its month, and the daily summary (日报) of its Tuesday.
 *
 *   node --import tsx scripts/write-report-examples.ts [--week 2026-W47] [OUT_DIR]
 *
 * The week is fixed (default 2026-W47, Asia/Shanghai) and each report's "now" is 8 h after its period ends, so
 * the HTML and Markdown come out byte for byte the same on every run: a diff shows what a change did.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { SlaStore } from '../src/alerting/escalation/sla.js';
import { influxSectionSchema } from '../src/config/sections/influx.js';
import type { Lang } from '../src/config/lang.js';
import { openStateDb } from '../src/core/database.js';
import type { IncidentView } from '../src/core/incident.js';
import { renderReport, type ReportFormatName } from '../src/reports/generate.js';
import { buildReportModel } from '../src/reports/model/build.js';
import type { ModelInputs } from '../src/reports/model/types.js';
import { dayPeriod, monthPeriod, previousPeriod, weekPeriod, type ReportPeriod } from '../src/reports/period.js';
import { reportCalendars, reportOnCall } from '../src/reports/sources/calendars.js';
import { personSchema, scheduleSchema } from '../src/alerting/escalation/schema.js';
import { InfluxMetricsSource } from '../src/reports/sources/influx-metrics.js';
import { MemoryIncidentSource } from '../src/reports/sources/memory-incidents.js';
import { fromEscalationSla } from '../src/reports/sources/sla-grade.js';
import type { IncidentRecord } from '../src/reports/sources/types.js';
import { formatDay, addDays } from '../src/reports/time-zone.js';
import { ALWAYS, buildCalendar } from '../src/service/calendar.js';
import { loadHolidayRegion, SHIPPED_CALENDAR_DIR } from '../src/service/holidays.js';
import { calendarSpecSchema } from '../src/service/schema.js';
import { createInfluxSink } from '../src/storage/index.js';
import { realInfluxd } from '../tests/helpers/real-parts.js';
import { tempDir } from '../tests/helpers/tmp.js';
import { knownWeek } from '../tests/reports/known-week.js';
import { exampleSources } from './report-example-sources.js';

const TIME_ZONE = 'Asia/Shanghai';
const MIN = 60_000;
const ALL: readonly (readonly [Lang, ReportFormatName])[] = [['zh-CN', 'pdf'], ['en', 'html'], ['zh-CN', 'html'], ['en', 'md'], ['zh-CN', 'md']];

const { values, positionals } = parseArgs({ options: { week: { type: 'string', default: '2026-W47' } }, allowPositionals: true });
const week = weekPeriod(values.week, TIME_ZONE);
const out = resolve(positionals[0] ?? 'docs/examples');
const tuesday = dayPeriod(formatDay(addDays(week.firstDay, 1)), TIME_ZONE);
const month = monthPeriod(formatDay(week.firstDay).slice(0, 7), TIME_ZONE);

const office = buildCalendar('office-5x8', calendarSpecSchema.parse({ timezone: TIME_ZONE, hours: ['08:30-17:30'], holidays: 'cn' }), loadHolidayRegion(SHIPPED_CALENDAR_DIR, 'cn'));
// The NOC engineers' daily rotation the daily summary's hand-over names (two people, 09:00 hand-off).
const onCall = reportOnCall({
  schedules: { 'noc-engineers': scheduleSchema.parse({ rotation: 'daily', handoff: '09:00', start: '2026-11-01', people: ['wang', 'li'] }) },
  people: { wang: personSchema.parse({ displayName: '王磊 Wang Lei', channels: ['noc'] }), li: personSchema.parse({ displayName: '李娜 Li Na', channels: ['noc'] }) },
}, TIME_ZONE);
const calendars = reportCalendars({ calendar: 'office-5x8', serviceCalendars: new Map([['7x24', ALWAYS], ['office-5x8', office]]) });

/**
 * A branch router fault under the 5x8 office calendar, its clocks kept by escalation's own SlaStore (in memory):
 * acknowledged, paused for the carrier, still open at the end of the Tuesday.
 */
function branchFault(asOf: Date): IncidentRecord {
  const db = openStateDb('', ':memory:');
  try {
    const sla = new SlaStore(db, { calendars: calendars.calendars });
    const opened = new Date(tuesday.start.getTime() + 14 * 60 * MIN);
    const inc = { id: 'INC-104', key: 'device:edge-rtr-02', title: 'WAN link down', severity: 'P2', state: 'open', device: 'edge-rtr-02', site: 'branch', openedAt: opened, alerts: [], muted: false, flapping: false, suppressedDevices: [] } as unknown as IncidentView;
    sla.opened(inc, { respond: 30 * MIN, resolve: 240 * MIN }, 'office-5x8');
    sla.paged('INC-104');
    sla.acknowledged('INC-104', new Date(opened.getTime() + 9 * MIN), 'alice');
    sla.pause('INC-104', { reason: 'carrier-fault', note: 'carrier ticket 4711', by: 'alice', at: new Date(opened.getTime() + 40 * MIN) });
    sla.endPause('INC-104', sla.get('INC-104', asOf.getTime())!.pauses[0]!.id, 'alice', new Date(opened.getTime() + 160 * MIN));
    const r = sla.get('INC-104', asOf.getTime())!;
    return {
      id: 'INC-104', title: 'WAN link down', titles: { 'zh-CN': '广域网链路中断' }, severity: 'P2', device: 'edge-rtr-02', site: 'branch',
      openedAt: opened, acknowledgedAt: r.acknowledgedAt, acknowledgedBy: 'alice', onWatch: ['alice', 'bob'],
      sla: fromEscalationSla(r, sla.clock('INC-104')!.elapsed(asOf.getTime())),
    };
  } finally { db.close(); }
}

const influx = await realInfluxd();
const tmp = tempDir('noctua-examples-');
try {
  const known = knownWeek(week, previousPeriod(week));
  const extra = exampleSources(week);
  const settings = influxSectionSchema.parse({ url: influx.url, database: 'noctua', retention: { raw: 4000 * 86_400_000, longTerm: 4000 * 86_400_000 } });
  const sink = await createInfluxSink({ settings, stateDir: tmp.dir, log: pino({ level: 'silent' }) });
  await sink.write([...known.samples, ...extra.events]);
  await sink.flush();
  await sink.close();
  const metrics = new InfluxMetricsSource({ url: influx.url, database: 'noctua' });
  const common: Omit<ModelInputs, 'period' | 'incidents'> = {
    metrics, inventory: known.inventory, problems: extra.problems, assets: extra.assets, configBackup: extra.configBackup, calendar: calendars.calendar, onCall,
  };
  mkdirSync(out, { recursive: true });
  for (const period of [week, month, tuesday] as ReportPeriod[]) {
    // The branch fault's clocks are read at the end of each period, as the alert-store source reads them.
    const incidents = new MemoryIncidentSource([...known.incidents, branchFault(period.end)]);
    const model = await buildReportModel({ ...common, incidents, period, now: new Date(period.end.getTime() + 8 * 3_600_000) });
    for (const [lang, format] of ALL) {
      const file = join(out, `${period.kind}-${period.label}.${lang}.${format}`);
      writeFileSync(file, (await renderReport(model, lang, format)).content);
      console.log(file);
    }
  }
} finally {
  await influx.cleanup();
  tmp.cleanup();
}
