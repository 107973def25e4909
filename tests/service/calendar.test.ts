import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { addServiceTime, ALWAYS, buildCalendar, calendarWarnings, serviceTimeBetween, type Calendar } from '../../src/service/calendar.js';
import { loadHolidayRegion } from '../../src/service/holidays.js';
import { calendarSpecSchema } from '../../src/service/schema.js';

const CALENDAR_DIR = fileURLToPath(new URL('../../config/calendars/', import.meta.url));
const H = 3_600_000;
const MIN = 60_000;

/** An instant written as Shanghai wall time (UTC+8, no DST): "2026-10-09 17:00". */
function sh(text: string): number {
  return Date.parse(`${text.replace(' ', 'T')}:00+08:00`);
}
/** An instant shown as Shanghai wall time, for readable failures. */
function show(ms: number): string {
  return new Date(ms + 8 * H).toISOString().slice(0, 16).replace('T', ' ');
}

const cn = loadHolidayRegion(CALENDAR_DIR, 'cn');
/** 5x8 of the contracts: Mon-Fri 08:30-17:30 in Shanghai, PRC holidays and make-up days. */
const office: Calendar = buildCalendar('office-5x8', calendarSpecSchema.parse({ timezone: 'Asia/Shanghai', hours: ['08:30-17:30'], holidays: 'cn' }), cn);

describe('service time in a 5x8 calendar with the 2026 PRC holidays (P2: respond 1 h, resolve 4 h)', () => {
  // Each case is what a person holding the printed calendar would say. Working day = 08:30-17:30 (9 h).
  it('a P2 opened Friday 2026-10-09 17:00 is due on the make-up Saturday 2026-10-10', () => {
    const open = sh('2026-10-09 17:00');
    // Response 1 h: 30 min left on Friday (17:00-17:30); Sat 10 Oct is a make-up working day (国庆调休),
    // so the other 30 min run from 08:30: due Sat 09:00.
    expect(show(addServiceTime(open, 1 * H, office))).toBe('2026-10-10 09:00');
    // Resolution 4 h: 30 min Friday + 3 h 30 min Saturday from 08:30: due Sat 12:00.
    expect(show(addServiceTime(open, 4 * H, office))).toBe('2026-10-10 12:00');
  });

  it('a P2 opened Wednesday 2026-09-30 17:00 waits out the National Day holiday (1-7 Oct)', () => {
    const open = sh('2026-09-30 17:00');
    // Response: 30 min on Wed 30 Sep; Thu 1 - Wed 7 Oct are off (国庆节); Thu 8 Oct 08:30 + 30 min = 09:00.
    expect(show(addServiceTime(open, 1 * H, office))).toBe('2026-10-08 09:00');
    // Resolution: 30 min Wednesday + 3 h 30 min Thursday: due Thu 8 Oct 12:00.
    expect(show(addServiceTime(open, 4 * H, office))).toBe('2026-10-08 12:00');
  });

  it('a P2 opened Friday 2026-09-18 17:00 is due on the make-up Sunday 2026-09-20, and one on holiday Friday 25 Sep starts on Monday', () => {
    // Sat 19 Sep off (weekend); Sun 20 Sep works (国庆调休): 30 min Fri + 30 min Sun = Sun 09:00.
    expect(show(addServiceTime(sh('2026-09-18 17:00'), 1 * H, office))).toBe('2026-09-20 09:00');
    // Fri 25 - Sun 27 Sep are the Mid-Autumn holiday (中秋节): the clock starts Mon 28 Sep 08:30.
    // Response 08:30 + 1 h = 09:30; resolution 08:30 + 4 h = 12:30.
    expect(show(addServiceTime(sh('2026-09-25 17:00'), 1 * H, office))).toBe('2026-09-28 09:30');
    expect(show(addServiceTime(sh('2026-09-25 17:00'), 4 * H, office))).toBe('2026-09-28 12:30');
  });

  it('a deadline reached at the end of a working day stays there, not at the next morning', () => {
    // Mon 12 Oct 13:30 + 4 h = 17:30 the same day.
    expect(show(addServiceTime(sh('2026-10-12 13:30'), 4 * H, office))).toBe('2026-10-12 17:30');
    expect(addServiceTime(sh('2026-10-12 20:00'), 0, office)).toBe(sh('2026-10-12 20:00'));
  });

  it('a pause of 2 h inside service hours moves the resolution deadline by 2 h and is left out of the time run', () => {
    const open = sh('2026-10-09 17:00');
    // Waiting for the customer Sat 10 Oct 09:30-11:30: 4 h = 30 min Fri + 08:30-09:30 (1 h) + 11:30-14:00 (2 h 30).
    const exclude = [{ from: sh('2026-10-10 09:30'), to: sh('2026-10-10 11:30') }];
    expect(show(addServiceTime(open, 4 * H, office, { exclude }))).toBe('2026-10-10 14:00');
    // Resolved Sat 14:30: 30 min + 6 h (08:30-14:30) - 2 h paused = 4 h 30 min.
    expect(serviceTimeBetween(open, sh('2026-10-10 14:30'), office, { exclude })).toBe(4.5 * H);
    // A pause that has not ended holds the clock: no deadline yet.
    expect(addServiceTime(open, 4 * H, office, { exclude: [{ from: sh('2026-10-10 09:30'), to: Infinity }] })).toBe(Infinity);
  });

  it('counts service time between two instants across the weekend and the holiday', () => {
    // Fri 25 Sep 09:00 (holiday) -> Wed 30 Sep 10:00: Mon 28 9 h + Tue 29 9 h + Wed 30 08:30-10:00 1 h 30 = 19 h 30.
    expect(serviceTimeBetween(sh('2026-09-25 09:00'), sh('2026-09-30 10:00'), office)).toBe(19.5 * H);
    expect(serviceTimeBetween(sh('2026-10-01 00:00'), sh('2026-10-08 00:00'), office)).toBe(0);
  });

  it('takes a contract\'s extra closures out, a date alone closing the whole day', () => {
    const closed = buildCalendar('bank', calendarSpecSchema.parse({
      timezone: 'Asia/Shanghai', hours: ['08:30-12:00', '13:00-17:30'], holidays: 'cn',
      closures: [{ from: '2026-10-12', to: '2026-10-12', reason: 'bank staff day' }, { from: '2026-10-13 08:30', to: '2026-10-13 10:00' }],
    }), cn);
    // Fri 9 Oct 17:00: 30 min Friday; Sat 10 Oct make-up day 08:30-12:00 (3 h 30) + 13:00-17:30 (4 h 30) = 8 h 30;
    // 30 min + 8 h = 8 h 30 by Saturday night; Mon 12 Oct closed; Tue 13 Oct closed until 10:00, so the last
    // 1 h 30 of 10 h run 10:00-11:30 on Tuesday.
    expect(show(addServiceTime(sh('2026-10-09 17:00'), 10 * H, closed))).toBe('2026-10-13 11:30');
  });
});

describe('7x24 and time zones', () => {
  it('7x24 is wall time', () => {
    const t = Date.UTC(2026, 0, 5, 2);
    expect(addServiceTime(t, 30 * MIN, ALWAYS)).toBe(t + 30 * MIN);
    expect(serviceTimeBetween(t, t + 5 * H, ALWAYS)).toBe(5 * H);
    expect(serviceTimeBetween(t, t + 5 * H, ALWAYS, { exclude: [{ from: t + H, to: t + 3 * H }] })).toBe(3 * H);
  });

  it('follows the wall clock across daylight saving changes (America/New_York, 8 Mar and 1 Nov 2026)', () => {
    const allDay = buildCalendar('ny-7x24-wall', calendarSpecSchema.parse({ timezone: 'America/New_York', days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], hours: ['00:00-24:00'] }));
    // Sun 8 Mar 2026 has 23 hours in New York, Sun 1 Nov 25.
    expect(serviceTimeBetween(Date.parse('2026-03-08T00:00:00-05:00'), Date.parse('2026-03-09T00:00:00-04:00'), allDay)).toBe(23 * H);
    expect(serviceTimeBetween(Date.parse('2026-11-01T00:00:00-04:00'), Date.parse('2026-11-02T00:00:00-05:00'), allDay)).toBe(25 * H);
    const ny = buildCalendar('ny-office', calendarSpecSchema.parse({ timezone: 'America/New_York', hours: ['09:00-17:00'] }));
    // Fri 6 Mar 16:00 EST + 2 h: 1 h Friday, then Monday 9 Mar 09:00 EDT (13:00Z) + 1 h = 14:00Z.
    expect(new Date(addServiceTime(Date.parse('2026-03-06T16:00:00-05:00'), 2 * H, ny)).toISOString()).toBe('2026-03-09T14:00:00.000Z');
  });

  it('warns once per year without holiday data instead of treating it silently, and at start for provisional years', () => {
    const warnings: string[] = [];
    const cal = buildCalendar('office', calendarSpecSchema.parse({ timezone: 'Asia/Shanghai', hours: ['08:30-17:30'], holidays: 'cn' }), cn);
    // 2028 has no file: Mon 2 Oct 2028 counts as an ordinary weekday, and that is said.
    addServiceTime(sh('2028-10-02 09:00'), 2 * H, cal, { warn: (m) => warnings.push(m) });
    addServiceTime(sh('2028-10-03 09:00'), 2 * H, cal, { warn: (m) => warnings.push(m) });
    expect(warnings).toEqual([expect.stringContaining('no holiday data for cn 2028')]);
    // A deadline that reaches into provisional 2027 says so, once.
    addServiceTime(sh('2026-12-31 17:00'), 2 * H, cal, { warn: (m) => warnings.push(m) });
    addServiceTime(sh('2027-01-04 17:00'), 2 * H, cal, { warn: (m) => warnings.push(m) });
    expect(warnings.slice(1)).toEqual([expect.stringContaining('reaches into 2027, whose holiday data (cn-2027.yaml) is provisional')]);
    // At start: this year's and later provisional files, and a year without a file.
    expect(calendarWarnings(cal, sh('2026-12-02 00:00'))).toEqual([expect.stringContaining('cn-2027.yaml is provisional')]);
    expect(calendarWarnings(cal, sh('2027-03-01 00:00'))).toEqual([expect.stringContaining('cn-2027.yaml is provisional')]);
    expect(calendarWarnings(cal, sh('2029-03-01 00:00'))).toEqual([expect.stringContaining('no holiday data for cn 2029')]);
  });
});
