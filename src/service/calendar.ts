import { holidayFact, type HolidayRegion } from './holidays.js';
import { closureEnd, minutesOf, WEEKDAY_NAMES, type CalendarSpec } from './schema.js';
import { DAY_MS, fromDayNumber, localParts, parseLocalDateTime, weekdayOf, zonedTimeToUtc } from './zoned-time.js';

/** A stretch of time [from, to) in epoch ms; `to` may be Infinity (an open pause). */
export interface Interval { from: number; to: number }

/** The name of the built-in calendar in which every minute counts. */
export const ALWAYS_NAME = '7x24';

/** A service calendar ready for arithmetic: when SLA clocks run. */
export interface Calendar {
  name: string;
  /** True for 7x24: every instant is service time. */
  always: boolean;
  timezone: string;
  /** Weekdays with service hours, 0 = Monday. */
  days: ReadonlySet<number>;
  /** Windows of a working day in minutes since local midnight, sorted. */
  windows: readonly { start: number; end: number }[];
  holidays?: HolidayRegion;
  closures: readonly (Interval & { reason?: string })[];
  /** Years already warned about (no holiday data), so each is said once. */
  readonly warned: Set<number>;
}

/** The built-in 7x24 calendar: service time is wall time. */
export const ALWAYS: Calendar = { name: ALWAYS_NAME, always: true, timezone: 'UTC', days: new Set([0, 1, 2, 3, 4, 5, 6]), windows: [{ start: 0, end: 1440 }], closures: [], warned: new Set() };

/** Builds a calendar from its notify.yaml definition and its region's holiday data. */
export function buildCalendar(name: string, spec: CalendarSpec, holidays?: HolidayRegion): Calendar {
  const windows = spec.hours.map((w) => { const [a, b] = w.split('-') as [string, string]; return { start: minutesOf(a), end: minutesOf(b) }; })
    .sort((a, b) => a.start - b.start);
  const closures = spec.closures.map((c) => ({ from: parseLocalDateTime(c.from, spec.timezone), to: closureEnd(c.to, spec.timezone), reason: c.reason }))
    .sort((a, b) => a.from - b.from);
  return { name, always: false, timezone: spec.timezone, days: new Set(spec.days.map((d) => WEEKDAY_NAMES.indexOf(d))), windows, holidays, closures, warned: new Set() };
}

/** What arithmetic needs besides the calendar: time taken out (clock pauses) and where to say that holiday data is missing. */
export interface ServiceTimeOptions {
  /** Intervals that do not count even inside service hours (clock pauses), sorted or not. */
  exclude?: readonly Interval[];
  /** Called once per calendar and year when a day falls in a year without holiday data. */
  warn?: (message: string) => void;
}

/** Far enough to cross any holiday season; beyond it a deadline is "never" (a calendar with almost no hours). */
const HORIZON_DAYS = 800;

/** Whether a local day has service hours, after holidays and make-up days. */
function isServiceDay(cal: Calendar, day: number, warn?: (message: string) => void): boolean {
  if (cal.holidays) {
    const fact = holidayFact(cal.holidays, day);
    const year = fromDayNumber(day).year;
    if ((!fact.covered || cal.holidays.provisional.has(year)) && !cal.warned.has(year)) {
      cal.warned.add(year);
      warn?.(fact.covered
        ? `calendar "${cal.name}": SLA time reaches into ${year}, whose holiday data (${cal.holidays.region}-${year}.yaml) is provisional: only the fixed-date holidays are known`
        : `calendar "${cal.name}": no holiday data for ${cal.holidays.region} ${year} (add config/calendars/${cal.holidays.region}-${year}.yaml); its days count as ordinary weekdays`);
    }
    if (fact.kind === 'off') return false;
    if (fact.kind === 'work') return true;
  }
  return cal.days.has(weekdayOf(day));
}

/** Instants of local day starts and window edges, by zone, day and minute: Intl is slow and clocks ask again each tick. */
const instants = new Map<string, number>();

/** The instant a local day (number) plus `minutes` shows on the wall in `timezone`; 1440 is the next midnight. */
function localInstant(timezone: string, day: number, minutes: number): number {
  const key = `${timezone}|${day}|${minutes}`;
  let t = instants.get(key);
  if (t === undefined) {
    const d = fromDayNumber(day + Math.floor(minutes / 1440));
    const m = minutes % 1440;
    t = zonedTimeToUtc(d.year, d.month, d.day, Math.floor(m / 60), m % 60, timezone);
    if (instants.size >= 200_000) instants.clear();
    instants.set(key, t);
  }
  return t;
}

/** Removes `cuts` (sorted by start) from one interval. */
function subtract(iv: Interval, cuts: readonly Interval[]): Interval[] {
  let pieces: Interval[] = [iv];
  for (const c of cuts) {
    if (c.from >= iv.to) break;
    if (c.to <= iv.from) continue;
    pieces = pieces.flatMap((p) => {
      if (c.to <= p.from || c.from >= p.to) return [p];
      const out: Interval[] = [];
      if (c.from > p.from) out.push({ from: p.from, to: c.from });
      if (c.to < p.to) out.push({ from: c.to, to: p.to });
      return out;
    });
  }
  return pieces;
}

/** Service intervals of the calendar from `fromMs` on, in order, with closures and exclusions removed. */
export function* serviceIntervals(cal: Calendar, fromMs: number, toMs: number, opts: ServiceTimeOptions = {}): Generator<Interval> {
  const exclude = [...(opts.exclude ?? [])].sort((a, b) => a.from - b.from);
  if (cal.always) {
    yield* subtract({ from: fromMs, to: toMs }, exclude);
    return;
  }
  const cuts = [...cal.closures, ...exclude].sort((a, b) => a.from - b.from);
  // The local day holding fromMs: the UTC day or a neighbour (offsets are within ±14 h), found through the cache.
  let first = Math.floor(fromMs / DAY_MS) + 1;
  while (localInstant(cal.timezone, first, 0) > fromMs) first--;
  for (let day = first; day < first + HORIZON_DAYS; day++) {
    if (localInstant(cal.timezone, day, 0) >= toMs) return;
    if (!isServiceDay(cal, day, opts.warn)) continue;
    for (const w of cal.windows) {
      const from = Math.max(fromMs, localInstant(cal.timezone, day, w.start));
      const to = Math.min(toMs, localInstant(cal.timezone, day, w.end));
      if (to > from) yield* subtract({ from, to }, cuts);
    }
  }
}

/**
 * The instant at which `durationMs` of service time has passed since `startMs`: the earliest instant
 * with that much service time behind it, so a deadline reached at 17:30 on Friday stays Friday 17:30.
 * Infinity when it is never reached (an open clock pause, or no service hours within the horizon).
 */
export function addServiceTime(startMs: number, durationMs: number, cal: Calendar, opts: ServiceTimeOptions = {}): number {
  if (durationMs <= 0) return startMs;
  let left = durationMs;
  // Nothing after the start of a pause without an end counts: stop looking there.
  const held = Math.min(...(opts.exclude ?? []).filter((x) => x.to === Infinity).map((x) => x.from));
  const end = Math.min(held, cal.always ? Infinity : startMs + HORIZON_DAYS * DAY_MS);
  for (const iv of serviceIntervals(cal, startMs, end, opts)) {
    const len = iv.to - iv.from;
    if (left <= len) return iv.from + left;
    left -= len;
  }
  return Infinity;
}

/** Service time between two instants (0 when b is not after a). */
export function serviceTimeBetween(aMs: number, bMs: number, cal: Calendar, opts: ServiceTimeOptions = {}): number {
  if (!(bMs > aMs)) return 0;
  let total = 0;
  for (const iv of serviceIntervals(cal, aMs, bMs, opts)) total += iv.to - iv.from;
  return total;
}

/** Provisional holiday years from `atMs`'s year on, and whether that year is covered at all: for start-up warnings. */
export function calendarWarnings(cal: Calendar, atMs: number): string[] {
  if (!cal.holidays) return [];
  const out: string[] = [];
  const r = cal.holidays;
  const year = localParts(atMs, cal.timezone).year;
  // A provisional year already past no longer matters; this year's and later ones do.
  for (const y of [...r.provisional].filter((p) => p >= year).sort()) out.push(`calendar "${cal.name}": holiday data ${r.region}-${y}.yaml is provisional (the official schedule was not yet published): only the fixed-date holidays are known, so SLA deadlines around the others may be early`);
  if (!r.years.has(year)) out.push(`calendar "${cal.name}": no holiday data for ${r.region} ${year} (add config/calendars/${r.region}-${year}.yaml); public holidays count as working days`);
  return out;
}
