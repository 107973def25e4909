import cron, { type ScheduledTask } from 'node-cron';
import { reportScheduleSchema, type ReportFormatName, type ReportScheduleInput } from '../config/sections/reports.js';
import { systemClock, type Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import { generateReports, reportPath, writeReportFile } from './generate.js';
import { reportTitle } from './render/i18n.js';
import type { ModelInputs } from './model/types.js';
import { lastCompleteDay, lastCompleteMonth, lastCompleteWeek, lastCompleteYear, type ReportPeriod } from './period.js';
import { type Lang } from '../config/lang.js';

/** The scheduled kinds of report. */
export type ScheduledKind = 'daily' | 'weekly' | 'monthly' | 'yearly';
const SCHEDULED: readonly ScheduledKind[] = ['daily', 'weekly', 'monthly', 'yearly'];
const LAST_COMPLETE = { daily: lastCompleteDay, weekly: lastCompleteWeek, monthly: lastCompleteMonth, yearly: lastCompleteYear } as const;

/** What the notification channels are told when a report is ready: a link (the API path) and the files. */
export interface ReportAnnouncement {
  kind: ScheduledKind;
  period: ReportPeriod;
  title: string;
  lang: Lang;
  verdict: 'normal' | 'abnormal' | 'no-data';
  attentionCount: number;
  /** Absolute paths of the stored files, one per language and format (for channels that take attachments). */
  files: { lang: Lang; format: ReportFormatName; path: string }[];
  /** Path under the API, e.g. `/reports/weekly/2026-W47.zh-CN.pdf`, to be joined to api.publicUrl. */
  link: string;
}

/** What the scheduler needs from the running Noctua. */
export interface ReportSchedulerOptions {
  stateDir: string;
  timeZone: string;
  locale: Lang;
  schedule?: ReportScheduleInput;
  /** Fresh sources for each run (the inventory may have been reloaded). */
  sources(): Omit<ModelInputs, 'period' | 'now'>;
  /** Wired by the integrator to the notification channels. */
  announce(a: ReportAnnouncement): void | Promise<void>;
  clock?: Clock;
  log?: Logger;
}

/** A running report scheduler. */
export interface ReportScheduler {
  /** Generates, stores and announces the report of the period that had ended at `at` (default now). */
  run(kind: ScheduledKind, at?: Date): Promise<ReportAnnouncement>;
  /** The next time each schedule fires. */
  nextRuns(): Record<ScheduledKind, Date | null>;
  stop(): Promise<void>;
}

/** Starts the daily, weekly, monthly and yearly report schedules (node-cron, in the configured time zone, no overlapping runs). */
export function startReportScheduler(opts: ReportSchedulerOptions): ReportScheduler {
  const schedule = reportScheduleSchema.parse(opts.schedule ?? {});
  const clock = opts.clock ?? systemClock;
  const langs = schedule.langs ?? [opts.locale];

  async function run(kind: ScheduledKind, at = clock.now()): Promise<ReportAnnouncement> {
    const period = LAST_COMPLETE[kind](at, opts.timeZone);
    const outputs = langs.flatMap((lang) => schedule.formats.map((format) => ({ lang, format })));
    const { model, rendered } = await generateReports({ ...opts.sources(), period, now: at }, outputs);
    const files = rendered.map((r) => {
      const path = reportPath(opts.stateDir, period, r.lang, r.format);
      writeReportFile(path, r.content);
      return { lang: r.lang, format: r.format, path };
    });
    const lang = langs[0]!;
    const main = files.find((f) => f.lang === lang && f.format === 'pdf') ?? files.find((f) => f.lang === lang) ?? files[0]!;
    const announcement: ReportAnnouncement = {
      kind, period, lang, title: reportTitle(lang, period), verdict: model.summary.verdict, attentionCount: model.summary.attentionCount,
      files, link: `/reports/${period.kind}/${period.label}.${main.lang}.${main.format}`,
    };
    opts.log?.info({ kind, period: period.label, files: files.map((f) => f.path) }, 'report generated');
    await opts.announce(announcement);
    return announcement;
  }

  const tasks: Record<ScheduledKind, ScheduledTask | undefined> = { daily: undefined, weekly: undefined, monthly: undefined, yearly: undefined };
  if (schedule.enabled) {
    for (const kind of SCHEDULED) {
      tasks[kind] = cron.schedule(schedule[kind], async (ctx) => {
        try { await run(kind, ctx.date); } catch (err) {
          // A failed report must be visible, and must not stop next week's.
          opts.log?.error({ err, kind }, 'scheduled report failed');
        }
      }, { name: `noctua-report-${kind}`, timezone: opts.timeZone, noOverlap: true });
    }
  }
  return {
    run,
    nextRuns: () => ({ daily: tasks.daily?.getNextRun() ?? null, weekly: tasks.weekly?.getNextRun() ?? null, monthly: tasks.monthly?.getNextRun() ?? null, yearly: tasks.yearly?.getNextRun() ?? null }),
    async stop() { for (const t of Object.values(tasks)) if (t) await t.destroy(); },
  };
}
