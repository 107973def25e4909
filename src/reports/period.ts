import { addDays, formatDay, isoWeekday, localDayOf, parseDay, startOfLocalDay, type CalendarDay } from './time-zone.js';

/** What a report covers: [start, end) in UTC, described in the configured time zone. */
export interface ReportPeriod {
  kind: 'daily' | 'weekly' | 'monthly' | 'yearly' | 'custom';
  /** `2026-11-16` (a day), `2026-W47`, `2026-11`, `2026` or `2026-11-16_2026-11-22`: used in file names and headers. */
  label: string;
  start: Date;
  /** Exclusive. */
  end: Date;
  timeZone: string;
  firstDay: CalendarDay;
  /** Inclusive: the last local day inside the period. */
  lastDay: CalendarDay;
}

/** A period that cannot exist (week 60, month 13, from after to): the CLI turns it into a usage error. */
export class PeriodError extends Error {
  constructor(message: string) { super(message); this.name = 'PeriodError'; }
}

/** Monday of ISO week 1 of `isoYear` (the week holding 4 January). */
function isoWeekOneMonday(isoYear: number): CalendarDay {
  const jan4 = { year: isoYear, month: 1, day: 4 };
  return addDays(jan4, 1 - isoWeekday(jan4));
}

/** 52 or 53: the number of ISO weeks in an ISO year. */
export function isoWeeksInYear(isoYear: number): number {
  const next = isoWeekOneMonday(isoYear + 1);
  const first = isoWeekOneMonday(isoYear);
  const days = (Date.UTC(next.year, next.month - 1, next.day) - Date.UTC(first.year, first.month - 1, first.day)) / 86_400_000;
  return days / 7;
}

/** The ISO week (year and number) a local calendar day belongs to. */
export function isoWeekOf(day: CalendarDay): { isoYear: number; week: number } {
  const thursday = addDays(day, 4 - isoWeekday(day));
  const monday1 = isoWeekOneMonday(thursday.year);
  const diff = (Date.UTC(day.year, day.month - 1, day.day) - Date.UTC(monday1.year, monday1.month - 1, monday1.day)) / 86_400_000;
  return { isoYear: thursday.year, week: Math.floor(diff / 7) + 1 };
}

function span(kind: ReportPeriod['kind'], label: string, first: CalendarDay, lastInclusive: CalendarDay, timeZone: string): ReportPeriod {
  return {
    kind, label, timeZone, firstDay: first, lastDay: lastInclusive,
    start: startOfLocalDay(first, timeZone),
    end: startOfLocalDay(addDays(lastInclusive, 1), timeZone),
  };
}

/** The local day `2026-11-16` in `timeZone`, midnight to midnight (23 or 25 hours on a daylight-saving switch day). */
export function dayPeriod(text: string, timeZone: string): ReportPeriod {
  const day = parseDay(text);
  if (!day) throw new PeriodError(`expected a date such as 2026-11-16, got ${JSON.stringify(text)}`);
  return span('daily', formatDay(day), day, day, timeZone);
}

/** The last local day that has fully ended at `now` in `timeZone` (yesterday: what the morning's daily summary covers). */
export function lastCompleteDay(now: Date, timeZone: string): ReportPeriod {
  return dayPeriod(formatDay(addDays(localDayOf(now, timeZone), -1)), timeZone);
}

/** The ISO week `2026-W47` in `timeZone`, Monday 00:00 to the next Monday 00:00 local time. */
export function weekPeriod(text: string, timeZone: string): ReportPeriod {
  const m = /^(\d{4})-W(\d{1,2})$/.exec(text);
  if (!m) throw new PeriodError(`expected an ISO week such as 2026-W47, got ${JSON.stringify(text)}`);
  const isoYear = Number(m[1]);
  const week = Number(m[2]);
  const max = isoWeeksInYear(isoYear);
  if (week < 1 || week > max) throw new PeriodError(`week ${week} does not exist in ${isoYear} (weeks 1 to ${max}), got ${JSON.stringify(text)}`);
  const monday = addDays(isoWeekOneMonday(isoYear), (week - 1) * 7);
  return span('weekly', `${isoYear}-W${String(week).padStart(2, '0')}`, monday, addDays(monday, 6), timeZone);
}

/** The calendar month `2026-11` in `timeZone`. */
export function monthPeriod(text: string, timeZone: string): ReportPeriod {
  const m = /^(\d{4})-(\d{2})$/.exec(text);
  if (!m) throw new PeriodError(`expected a month such as 2026-11, got ${JSON.stringify(text)}`);
  const year = Number(m[1]);
  const month = Number(m[2]);
  if (month < 1 || month > 12) throw new PeriodError(`month ${month} does not exist (1 to 12), got ${JSON.stringify(text)}`);
  const first = { year, month, day: 1 };
  const nextFirst = month === 12 ? { year: year + 1, month: 1, day: 1 } : { year, month: month + 1, day: 1 };
  return span('monthly', `${year}-${String(month).padStart(2, '0')}`, first, addDays(nextFirst, -1), timeZone);
}

/** The calendar year `2026` in `timeZone` (年报). */
export function yearPeriod(text: string, timeZone: string): ReportPeriod {
  const m = /^(\d{4})$/.exec(text);
  if (!m) throw new PeriodError(`expected a year such as 2026, got ${JSON.stringify(text)}`);
  const year = Number(m[1]);
  return span('yearly', String(year), { year, month: 1, day: 1 }, { year, month: 12, day: 31 }, timeZone);
}

/** The last calendar year that has fully ended at `now` in `timeZone`. */
export function lastCompleteYear(now: Date, timeZone: string): ReportPeriod {
  return yearPeriod(String(localDayOf(now, timeZone).year - 1), timeZone);
}

/** Local days `from` to `to`, both included (`--from 2026-11-16 --to 2026-11-22` is one whole week). */
export function rangePeriod(from: string, to: string, timeZone: string, maxDays = 366): ReportPeriod {
  const a = parseDay(from);
  if (!a) throw new PeriodError(`--from: expected a date such as 2026-11-16, got ${JSON.stringify(from)}`);
  const b = parseDay(to);
  if (!b) throw new PeriodError(`--to: expected a date such as 2026-11-22, got ${JSON.stringify(to)}`);
  const days = (Date.UTC(b.year, b.month - 1, b.day) - Date.UTC(a.year, a.month - 1, a.day)) / 86_400_000 + 1;
  if (days < 1) throw new PeriodError(`--to (${to}) is before --from (${from})`);
  if (days > maxDays) throw new PeriodError(`the period from ${from} to ${to} is ${days} days; at most ${maxDays} days per report`);
  return span('custom', `${formatDay(a)}_${formatDay(b)}`, a, b, timeZone);
}

/** The last ISO week that has fully ended at `now` in `timeZone` (what Monday's report covers). */
export function lastCompleteWeek(now: Date, timeZone: string): ReportPeriod {
  const today = localDayOf(now, timeZone);
  const lastMonday = addDays(today, 1 - isoWeekday(today) - 7);
  const { isoYear, week } = isoWeekOf(lastMonday);
  return weekPeriod(`${isoYear}-W${String(week).padStart(2, '0')}`, timeZone);
}

/** The last calendar month that has fully ended at `now` in `timeZone`. */
export function lastCompleteMonth(now: Date, timeZone: string): ReportPeriod {
  const today = localDayOf(now, timeZone);
  const prev = today.month === 1 ? { year: today.year - 1, month: 12 } : { year: today.year, month: today.month - 1 };
  return monthPeriod(`${prev.year}-${String(prev.month).padStart(2, '0')}`, timeZone);
}

/** The period just before, of the same kind: last week, last month, or the same number of days before. */
export function previousPeriod(p: ReportPeriod): ReportPeriod {
  if (p.kind === 'daily') return dayPeriod(formatDay(addDays(p.firstDay, -1)), p.timeZone);
  if (p.kind === 'weekly') {
    const { isoYear, week } = isoWeekOf(addDays(p.firstDay, -7));
    return weekPeriod(`${isoYear}-W${String(week).padStart(2, '0')}`, p.timeZone);
  }
  if (p.kind === 'monthly') {
    const prevLast = addDays(p.firstDay, -1);
    return monthPeriod(`${prevLast.year}-${String(prevLast.month).padStart(2, '0')}`, p.timeZone);
  }
  if (p.kind === 'yearly') return yearPeriod(String(p.firstDay.year - 1), p.timeZone);
  const days = (Date.UTC(p.lastDay.year, p.lastDay.month - 1, p.lastDay.day) - Date.UTC(p.firstDay.year, p.firstDay.month - 1, p.firstDay.day)) / 86_400_000 + 1;
  return rangePeriod(formatDay(addDays(p.firstDay, -days)), formatDay(addDays(p.firstDay, -1)), p.timeZone, Number.MAX_SAFE_INTEGER);
}
