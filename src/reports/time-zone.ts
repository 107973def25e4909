/**
 * Calendar arithmetic in an IANA time zone without a date library: a report period starts at local
 * midnight in the configured zone, which is a different UTC instant in every zone and across DST.
 */

/** A calendar day, months 1-12. */
export interface CalendarDay { year: number; month: number; day: number }

/** Wall-clock fields of an instant as seen in a time zone. */
export interface ZonedParts extends CalendarDay { hour: number; minute: number; second: number; weekday: number }

const partFormatters = new Map<string, Intl.DateTimeFormat>();

function partsFormatter(timeZone: string): Intl.DateTimeFormat {
  let f = partFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: '2-digit', weekday: 'short',
    });
    partFormatters.set(timeZone, f);
  }
  return f;
}

const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

/** The wall-clock fields of `at` in `timeZone`; weekday is ISO (Monday 1 .. Sunday 7). */
export function zonedParts(at: Date, timeZone: string): ZonedParts {
  const out: Record<string, string> = {};
  for (const p of partsFormatter(timeZone).formatToParts(at)) out[p.type] = p.value;
  return {
    year: Number(out.year), month: Number(out.month), day: Number(out.day),
    hour: Number(out.hour), minute: Number(out.minute), second: Number(out.second),
    weekday: WEEKDAYS[out.weekday ?? ''] ?? 0,
  };
}

/** Offset of the zone from UTC at `at`, in milliseconds (positive east of Greenwich). */
export function zoneOffsetMs(at: Date, timeZone: string): number {
  const p = zonedParts(at, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(at.getTime() / 1000) * 1000;
}

/** The instant at which the given local day begins (00:00) in `timeZone`. */
export function startOfLocalDay(day: CalendarDay, timeZone: string): Date {
  const naive = Date.UTC(day.year, day.month - 1, day.day);
  // Two passes settle the offset even when the first guess lands on the other side of a DST change.
  let guess = naive - zoneOffsetMs(new Date(naive), timeZone);
  guess = naive - zoneOffsetMs(new Date(guess), timeZone);
  return new Date(guess);
}

/** The local calendar day of an instant in `timeZone`. */
export function localDayOf(at: Date, timeZone: string): CalendarDay {
  const p = zonedParts(at, timeZone);
  return { year: p.year, month: p.month, day: p.day };
}

/** Adds whole days to a calendar day (no time zone involved: calendar arithmetic only). */
export function addDays(day: CalendarDay, days: number): CalendarDay {
  const d = new Date(Date.UTC(day.year, day.month - 1, day.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** ISO weekday (Monday 1 .. Sunday 7) of a calendar day. */
export function isoWeekday(day: CalendarDay): number {
  const w = new Date(Date.UTC(day.year, day.month - 1, day.day)).getUTCDay();
  return w === 0 ? 7 : w;
}

/** `YYYY-MM-DD`. */
export function formatDay(day: CalendarDay): string {
  return `${String(day.year).padStart(4, '0')}-${String(day.month).padStart(2, '0')}-${String(day.day).padStart(2, '0')}`;
}

/** Parses `YYYY-MM-DD` into a real calendar day, or undefined (so 2026-02-30 is refused). */
export function parseDay(text: string): CalendarDay | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return undefined;
  const day = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
  const back = addDays(day, 0);
  return back.year === day.year && back.month === day.month && back.day === day.day ? day : undefined;
}
