import cron from 'node-cron';
import { z } from 'zod';
import { LANGS } from '../lang.js';

/** Output formats of a report. */
export const REPORT_FORMATS = ['html', 'pdf', 'md'] as const;
/** One output format. */
export type ReportFormatName = (typeof REPORT_FORMATS)[number];

/** `reports:` in noctua.yaml: when and how reports are generated on their own; cron expressions are read in the configured time zone. */
export const reportScheduleSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** Every day 08:30: the daily summary (日报) of the local day that just ended. */
  daily: z.string().refine((e) => cron.validate(e), 'expected a cron expression such as "30 8 * * *"').default('30 8 * * *'),
  /** Every Monday 08:00: the report of the ISO week that just ended. */
  weekly: z.string().refine((e) => cron.validate(e), 'expected a cron expression such as "0 8 * * 1"').default('0 8 * * 1'),
  /** The 1st of each month 08:00: the report of the month that just ended. */
  monthly: z.string().refine((e) => cron.validate(e), 'expected a cron expression such as "0 8 1 * *"').default('0 8 1 * *'),
  /** 1 January 09:00: the yearly report (年报) of the year that just ended, after that morning's monthly report. */
  yearly: z.string().refine((e) => cron.validate(e), 'expected a cron expression such as "0 9 1 1 *"').default('0 9 1 1 *'),
  /** Languages to write; the first is the one announced. Default: the configured locale. */
  langs: z.array(z.enum(LANGS)).min(1).optional(),
  formats: z.array(z.enum(REPORT_FORMATS)).min(1).default(['html', 'pdf']),
});
/** The schedule as written in config. */
export type ReportScheduleInput = z.input<typeof reportScheduleSchema>;
