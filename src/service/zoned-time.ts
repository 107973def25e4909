/** Wall-clock arithmetic in IANA time zones, shared by on-call rotations and service calendars. */

/** Wall-clock fields of an instant in a time zone; weekday 0 = Monday. */
export interface LocalParts { year: number; month: number; day: number; hour: number; minute: number; second: number; weekday: number }

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
/** Milliseconds in a calendar day of UTC (local days may be 23 or 25 hours long). */
export const DAY_MS = 86_400_000;

/** What a clock on the wall in `timezone` shows at instant `ms`. */
export function localParts(ms: number, timezone: string): LocalParts {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: timezone, year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', weekday: 'short', hourCycle: 'h23' });
    formatters.set(timezone, f);
  }
  const parts = f.formatToParts(new Date(ms));
  const n = (t: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === t)?.value);
  return { year: n('year'), month: n('month'), day: n('day'), hour: n('hour'), minute: n('minute'), second: n('second'), weekday: WEEKDAYS.indexOf(parts.find((p) => p.type === 'weekday')?.value ?? '') };
}

function offsetAt(ms: number, timezone: string): number {
  const p = localParts(ms, timezone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(ms / 1000) * 1000;
}

/** The instant a wall clock in `timezone` shows the given local time (the later one when DST repeats an hour). */
export function zonedTimeToUtc(year: number, month: number, day: number, hour: number, minute: number, timezone: string, second = 0): number {
  const guess = Date.UTC(year, month - 1, day, hour, minute, second);
  // Two passes: the offset at the guessed instant may differ from the offset at the answer near a DST change.
  const firstPass = guess - offsetAt(guess, timezone);
  return guess - offsetAt(firstPass, timezone);
}

/** Calendar-day number of a local date (days since 1970-01-01), so day arithmetic ignores DST changes. */
export function dayNumber(year: number, month: number, day: number): number {
  return Math.round(Date.UTC(year, month - 1, day) / DAY_MS);
}

/** The local date of a day number. */
export function fromDayNumber(n: number): { year: number; month: number; day: number } {
  const d = new Date(n * DAY_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** Weekday of a day number, 0 = Monday. */
export function weekdayOf(n: number): number {
  return (new Date(n * DAY_MS).getUTCDay() + 6) % 7;
}

/** "2026-10-01" for a day number. */
export function isoDate(n: number): string {
  return new Date(n * DAY_MS).toISOString().slice(0, 10);
}

/** Day number of "2026-10-01", or NaN. */
export function parseIsoDate(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return Number.NaN;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const n = dayNumber(y, mo, d);
  const back = fromDayNumber(n);
  return back.year === y && back.month === mo && back.day === d ? n : Number.NaN;
}

/** Parses "2026-01-10", "2026-01-10 09:00" (local to `timezone`) or ISO 8601 with an offset into epoch ms. */
export function parseLocalDateTime(text: string, timezone: string): number {
  if (/(Z|[+-]\d{2}:?\d{2})$/.test(text) && text.length > 10) return Date.parse(text.replace(' ', 'T'));
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(text);
  if (!m) return Number.NaN;
  return zonedTimeToUtc(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), timezone, Number(m[6] ?? 0));
}
