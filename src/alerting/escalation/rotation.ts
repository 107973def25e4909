import { dayNumber, DAY_MS, fromDayNumber, localParts, parseLocalDateTime, zonedTimeToUtc } from '../../service/zoned-time.js';
import type { ScheduleConfig } from './schema.js';

export { localParts, parseLocalDateTime, zonedTimeToUtc, type LocalParts } from '../../service/zoned-time.js';

const DAY_NAMES = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

/** Who holds a schedule at an instant, and the shift they are in. */
export interface OnCall {
  person: string;
  /** True when an override, not the rotation, decided. */
  override: boolean;
  reason?: string;
  shiftStart: Date;
  shiftEnd: Date;
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
