import { z } from 'zod';
import { parseLocalDateTime } from './zoned-time.js';

function validTimeZone(tz: string): boolean {
  try { new Intl.DateTimeFormat('en', { timeZone: tz }); return true; } catch { return false; }
}

/** An IANA time zone name. */
export const timeZoneSchema = z.string().refine(validTimeZone, { message: 'expected an IANA time zone such as Asia/Shanghai or UTC' });

/** Weekday names as calendars write them, Monday first. */
export const WEEKDAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** "08:30-17:30": a window of service hours within one local day; "24:00" ends it at midnight. */
const windowSchema = z.string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d-(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'expected hours "HH:MM-HH:MM" such as "08:30-17:30"')
  .refine((w) => { const [a, b] = w.split('-') as [string, string]; return minutesOf(b) > minutesOf(a); }, { message: 'expected the window to end after it starts (on the same day)' });

/** Minutes since local midnight of "HH:MM". */
export function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
}

const localDateTime = z.string().regex(
  /^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:?\d{2})?)?$/,
  'expected a date "2026-12-31", a local time "2026-12-31 12:00", or ISO 8601 with an offset',
);

/** A service calendar: the hours in which SLA clocks run. */
export const calendarSpecSchema = z.strictObject({
  /** Time zone the hours, holidays and closures are read in. */
  timezone: timeZoneSchema,
  /** Weekdays with service hours (make-up working days of `holidays` are added, holidays taken out). */
  days: z.array(z.enum(WEEKDAY_NAMES)).min(1, 'expected at least one weekday').default(['mon', 'tue', 'wed', 'thu', 'fri']),
  /** Service hours of a working day, one or more windows (a lunch break splits the day in two). */
  hours: z.array(windowSchema).min(1, 'expected at least one window such as "08:30-17:30"'),
  /** Public holidays and make-up working days from config/calendars/<region>-<year>.yaml ("cn"); absent: none. */
  holidays: z.string().regex(/^[a-z][a-z0-9-]*$/, 'expected a lower-case region code such as "cn"').optional(),
  /** Extra closures of this contract (company days off); a date alone as `to` closes that whole day. */
  closures: z.array(z.strictObject({
    from: localDateTime,
    to: localDateTime,
    reason: z.string().min(1).max(200).optional(),
  })).default([]),
}).superRefine((c, ctx) => {
  c.closures.forEach((cl, i) => {
    const from = parseLocalDateTime(cl.from, c.timezone);
    const to = closureEnd(cl.to, c.timezone);
    if (!(to > from)) ctx.addIssue({ code: 'custom', path: ['closures', i, 'to'], message: `expected "to" after "from" (${cl.from}), got ${JSON.stringify(cl.to)}` });
  });
});
export type CalendarSpec = z.output<typeof calendarSpecSchema>;

/** End instant of a closure: a date alone means the end of that day, a time is taken as written. */
export function closureEnd(text: string, timezone: string): number {
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    const [y, m, d] = text.split('-').map(Number) as [number, number, number];
    const next = new Date(Date.UTC(y, m - 1, d + 1));
    return parseLocalDateTime(next.toISOString().slice(0, 10), timezone);
  }
  return parseLocalDateTime(text, timezone);
}
