import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { openStateDb } from '../core/database.js';
import { StateDbAssetSource } from '../reports/sources/assets.js';
import { StateDbProblemSource } from '../reports/sources/problem-records.js';
import { AlertStoreIncidentSource } from '../reports/sources/alert-store.js';
import { reportSourceFor } from '../config-backup/setup.js';
import { loadConfig } from '../config/loader.js';
import { loadNotifyConfig } from '../alerting/escalation/config.js';
import { reportCalendars, reportOnCall } from '../reports/sources/calendars.js';
import { REPORT_FORMATS, reportPath, renderReport, writeReportFile } from '../reports/generate.js';
import { reportMetricsSource } from '../reports/sources/influx-retention.js';
import { buildReportModel } from '../reports/model/build.js';
import { PeriodError, dayPeriod, lastCompleteDay, lastCompleteMonth, lastCompleteWeek, lastCompleteYear, monthPeriod, rangePeriod, weekPeriod, yearPeriod, type ReportPeriod } from '../reports/period.js';
import { parseFlags, UsageError, type CliCommand } from './command.js';
import { LANGS } from '../config/lang.js';

/** The flags of `noctua report`, checked together so each mistake names its flag. */
const reportFlagsSchema = z.object({
  kind: z.enum(['daily', 'weekly', 'monthly', 'yearly'], { error: (i) => `expected "daily", "weekly", "monthly" or "yearly" after "report", got ${i.input === undefined ? 'nothing' : JSON.stringify(i.input)}` }),
  day: z.string().optional(),
  week: z.string().optional(),
  from: z.string().optional(),
  to: z.string().optional(),
  month: z.string().optional(),
  year: z.string().optional(),
  lang: z.enum(LANGS, { error: (i) => `--lang: expected ${LANGS.join(' or ')}, got ${JSON.stringify(i.input)}` }).optional(),
  format: z.enum(REPORT_FORMATS, { error: (i) => `--format: expected ${REPORT_FORMATS.join(', ')}, got ${JSON.stringify(i.input)}` }).default('html'),
  out: z.string().min(1).optional(),
  config: z.string().min(1).default('config'),
  customer: z.boolean().default(false),
});
type ReportFlags = z.output<typeof reportFlagsSchema>;

/** Parses and checks the command line; throws a {@link UsageError} naming the first mistake. */
export function parseReportFlags(argv: string[]): ReportFlags {
  const { values, positionals } = parseFlags(argv, {
    day: { type: 'string' }, week: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, month: { type: 'string' }, year: { type: 'string' },
    lang: { type: 'string' }, format: { type: 'string' }, out: { type: 'string', short: 'o' }, config: { type: 'string', short: 'c' },
    customer: { type: 'boolean' },
  }, true);
  if (positionals.length > 1) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[1])}`);
  const r = reportFlagsSchema.safeParse({ ...values, help: undefined, kind: positionals[0] });
  if (!r.success) throw new UsageError(r.error.issues[0]?.message ?? 'invalid flags');
  const f = r.data;
  if (f.kind !== 'daily' && f.day !== undefined) throw new UsageError('--day belongs to "report daily"');
  if (f.kind === 'daily' && (f.week !== undefined || f.from !== undefined || f.to !== undefined || f.month !== undefined || f.year !== undefined)) throw new UsageError('--week, --from, --to, --month and --year do not apply to "report daily"; use --day 2026-11-16');
  if (f.kind !== 'yearly' && f.year !== undefined) throw new UsageError('--year belongs to "report yearly"');
  if (f.kind === 'yearly' && (f.week !== undefined || f.from !== undefined || f.to !== undefined || f.month !== undefined)) throw new UsageError('--week, --from, --to and --month do not apply to "report yearly"; use --year 2026');
  if (f.kind === 'monthly' && (f.week !== undefined || f.from !== undefined || f.to !== undefined)) throw new UsageError('--week, --from and --to belong to "report weekly"; use --month 2026-11 for a monthly report');
  if (f.kind === 'weekly' && f.month !== undefined) throw new UsageError('--month belongs to "report monthly"; use --week 2026-W47 or --from/--to for a weekly report');
  if (f.week !== undefined && (f.from !== undefined || f.to !== undefined)) throw new UsageError('give either --week or --from/--to, not both');
  if ((f.from === undefined) !== (f.to === undefined)) throw new UsageError('--from and --to go together (both dates are included)');
  // The stored report is the team's own; the customer version goes only where it is asked to.
  if (f.customer && f.out === undefined) throw new UsageError('--customer needs --out FILE (the stored report is the team\'s version, with engineer figures)');
  return f;
}

/** The period the flags ask for, in the configured time zone; the last complete one by default. */
export function periodFromFlags(f: ReportFlags, timeZone: string, now = new Date()): ReportPeriod {
  try {
    if (f.kind === 'daily') return f.day !== undefined ? dayPeriod(f.day, timeZone) : lastCompleteDay(now, timeZone);
    if (f.kind === 'yearly') return f.year !== undefined ? yearPeriod(f.year, timeZone) : lastCompleteYear(now, timeZone);
    if (f.kind === 'monthly') return f.month !== undefined ? monthPeriod(f.month, timeZone) : lastCompleteMonth(now, timeZone);
    if (f.week !== undefined) return weekPeriod(f.week, timeZone);
    if (f.from !== undefined && f.to !== undefined) return rangePeriod(f.from, f.to, timeZone);
    return lastCompleteWeek(now, timeZone);
  } catch (err) {
    if (err instanceof PeriodError) {
      const flag = f.kind === 'daily' ? '--day: ' : f.kind === 'yearly' ? '--year: ' : f.kind === 'monthly' ? '--month: ' : f.week !== undefined ? '--week: ' : '';
      throw new UsageError(flag + err.message);
    }
    throw err;
  }
}

/** `noctua report`: writes the weekly inspection report or the monthly service report. */
export const command: CliCommand = {
  name: 'report',
  summary: 'Write the daily summary (日报), the weekly inspection report (巡检周报), the monthly service report or the yearly report (年报) as HTML, PDF or Markdown.',
  usage: [
    'noctua report daily [--day 2026-11-16] [--lang zh-CN|en] [--format html|pdf|md] [--customer] [--out FILE] [--config DIR]',
    'noctua report weekly [--week 2026-W47 | --from 2026-11-16 --to 2026-11-22] [--lang zh-CN|en] [--format html|pdf|md] [--customer] [--out FILE] [--config DIR]',
    'noctua report monthly [--month 2026-11] [--lang zh-CN|en] [--format html|pdf|md] [--customer] [--out FILE] [--config DIR]',
    'noctua report yearly [--year 2026] [--lang zh-CN|en] [--format html|pdf|md] [--customer] [--out FILE] [--config DIR]',
    '--customer: the version handed to the customer, without the team\'s internal figures (engineer figures).',
    '',
    'Without a period: yesterday, or the last complete ISO week, month or year in the configured time zone. --from and --to are both included.',
    'Without --out: stored as <stateDir>/reports/<kind>/<period>.<lang>.<format>. --out - writes to standard output.',
  ].join('\n'),
  async run(argv) {
    const flags = parseReportFlags(argv);
    // The period is checked before the configuration is read, so --week 2026-W60 is refused as a usage error in any case.
    periodFromFlags(flags, 'UTC');
    // notify.yaml's service calendars: the daily summary says how its day stood in them and reads SLA clocks in them.
    const cfg = loadConfig(flags.config, process.env, flags.kind === 'daily' ? { notify: loadNotifyConfig } : { notify: () => undefined });
    const calendars = reportCalendars(cfg.notify);
    const period = periodFromFlags(flags, cfg.settings.timezone);
    const lang = flags.lang ?? cfg.settings.locale;
    const influx = cfg.settings.influx;
    // Without a state database no alert engine has run here: the report then says incidents are not included.
    const db = existsSync(join(cfg.stateDir, 'noctua.db')) ? openStateDb(cfg.stateDir) : undefined;
    let model;
    try {
      model = await buildReportModel({
        period,
        metrics: reportMetricsSource(influx),
        incidents: db ? new AlertStoreIncidentSource(db, undefined, calendars.calendars) : undefined,
        problems: db ? new StateDbProblemSource(db) : undefined,
        audience: flags.customer ? 'customer' : 'internal',
        assets: db ? new StateDbAssetSource(db, cfg.devices) : undefined,
        inventory: cfg.devices.filter((d) => d.enabled).map((d) => ({ name: d.name, site: d.site, class: d.class })),
        configBackup: reportSourceFor(cfg.dir),
        calendar: calendars.calendar,
        onCall: reportOnCall(cfg.notify, cfg.settings.timezone),
      });
    } finally { db?.close(); }
    const rendered = await renderReport(model, lang, flags.format);
    if (flags.out === '-') {
      process.stdout.write(rendered.content);
      return 0;
    }
    const path = flags.out ?? reportPath(cfg.stateDir, period, lang, flags.format);
    writeReportFile(path, rendered.content);
    const s = model.summary;
    console.log(`${path}: ${period.label}, ${s.devicesInspected} devices, verdict ${s.verdict}${s.verdict === 'abnormal' ? ` (${s.attentionCount} need attention)` : ''}`);
    return 0;
  },
};
