import type { ScheduleConfig } from './schema.js';

/** Wall-clock fields of an instant in a time zone; weekday 0 = Monday. */
export interface LocalParts { year: number; month: number; day: number; hour: number; minute: number; second: number; weekday: number }

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const DAY_NAMES = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const DAY_MS = 86_400_000;

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

/** Parses "2026-01-10", "2026-01-10 09:00" (local to `timezone`) or ISO 8601 with an offset into epoch ms. */
export function parseLocalDateTime(text: string, timezone: string): number {
  if (/(Z|[+-]\d{2}:?\d{2})$/.test(text) && text.length > 10) return Date.parse(text.replace(' ', 'T'));
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(text);
  if (!m) return Number.NaN;
  return zonedTimeToUtc(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), timezone, Number(m[6] ?? 0));
}

/** Who holds a schedule at an instant, and the shift they are in. */
export interface OnCall {
  person: string;
  /** True when an override, not the rotation, decided. */
  override: boolean;
  reason?: string;
  shiftStart: Date;
  shiftEnd: Date;
}

/** Calendar-day number of a local date, so day arithmetic ignores DST changes. */
function dayNumber(year: number, month: number, day: number): number {
  return Math.round(Date.UTC(year, month - 1, day) / DAY_MS);
}

function fromDayNumber(n: number): { year: number; month: number; day: number } {
  const d = new Date(n * DAY_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/**
 * Who is on call for a schedule at `atMs`. Hand-offs happen at the schedule's local time, so a
 * 09:00 Asia/Shanghai hand-off is 01:00 UTC, and DST shifts move it with the wall clock.
 * Daily: person i covers the i-th day from `start`. Weekly: the first person covers the week containing `start`.
 */
export function onCallAt(schedule: ScheduleConfig, timezone: string, atMs: number): OnCall {
  const tz = schedule.timezone ?? timezone;
  const [hh, mm] = schedule.handoff.split(':').map(Number) as [number, number];
  const now = localParts(atMs, tz);
  const [sy, sm, sd] = schedule.start.split('-').map(Number) as [number, number, number];
  const beforeHandoff = now.hour * 60 + now.minute < hh * 60 + mm;
  let shiftDay = dayNumber(now.year, now.month, now.day);
  let index: number;
  let length: number;
  if (schedule.rotation === 'daily') {
    if (beforeHandoff) shiftDay -= 1;
    index = shiftDay - dayNumber(sy, sm, sd);
    length = 1;
  } else {
    const handoffDay = DAY_NAMES.indexOf(schedule.handoffDay);
    shiftDay -= (now.weekday - handoffDay + 7) % 7;
    if (shiftDay === dayNumber(now.year, now.month, now.day) && beforeHandoff) shiftDay -= 7;
    const startDay = dayNumber(sy, sm, sd);
    const startWeekday = (new Date(startDay * DAY_MS).getUTCDay() + 6) % 7;
    const alignedStart = startDay - ((startWeekday - handoffDay + 7) % 7);
    index = Math.floor((shiftDay - alignedStart) / 7);
    length = 7;
  }
  const n = schedule.people.length;
  const at = (day: number) => { const d = fromDayNumber(day); return new Date(zonedTimeToUtc(d.year, d.month, d.day, hh, mm, tz)); };
  const shiftStart = at(shiftDay);
  const shiftEnd = at(shiftDay + length);
  for (let i = schedule.overrides.length - 1; i >= 0; i--) {
    const o = schedule.overrides[i]!;
    const from = parseLocalDateTime(o.from, tz);
    const to = parseLocalDateTime(o.to, tz);
    if (atMs >= from && atMs < to) return { person: o.person, override: true, reason: o.reason, shiftStart: new Date(from), shiftEnd: new Date(to) };
  }
  return { person: schedule.people[((index % n) + n) % n]!, override: false, shiftStart, shiftEnd };
}
