import { describe, expect, it } from 'vitest';
import { isoWeekOf, isoWeeksInYear, lastCompleteMonth, lastCompleteWeek, monthPeriod, PeriodError, previousPeriod, rangePeriod, weekPeriod } from '../../src/reports/period.js';

const HOUR = 3_600_000;

describe('report periods in the configured time zone', () => {
  it('starts ISO week 2026-W47 at Monday 00:00 Shanghai time, which is Sunday 16:00 UTC', () => {
    const w = weekPeriod('2026-W47', 'Asia/Shanghai');
    expect(w.start.toISOString()).toBe('2026-11-15T16:00:00.000Z');
    expect(w.end.toISOString()).toBe('2026-11-22T16:00:00.000Z');
    expect(w.label).toBe('2026-W47');
  });

  it('knows which years have 53 ISO weeks and which week a New Year belongs to', () => {
    expect(isoWeeksInYear(2026)).toBe(53);
    expect(isoWeeksInYear(2027)).toBe(52);
    expect(isoWeekOf({ year: 2027, month: 1, day: 1 })).toEqual({ isoYear: 2026, week: 53 });
    expect(isoWeekOf({ year: 2024, month: 12, day: 30 })).toEqual({ isoYear: 2025, week: 1 });
    expect(() => weekPeriod('2027-W53', 'UTC')).toThrow(/week 53 does not exist in 2027 \(weeks 1 to 52\)/);
  });

  it('makes the week of a DST change 169 hours long in New York', () => {
    const w = weekPeriod('2026-W44', 'America/New_York');
    expect(w.end.getTime() - w.start.getTime()).toBe(169 * HOUR);
    expect(w.start.toISOString()).toBe('2026-10-26T04:00:00.000Z');
  });

  it('picks the last complete week by the local calendar, not by UTC', () => {
    // Monday 00:30 in Shanghai is still Sunday in UTC.
    const at = new Date('2026-11-22T16:30:00Z');
    expect(lastCompleteWeek(at, 'Asia/Shanghai').label).toBe('2026-W47');
    expect(lastCompleteWeek(at, 'UTC').label).toBe('2026-W46');
    expect(lastCompleteMonth(new Date('2026-11-30T16:30:00Z'), 'Asia/Shanghai').label).toBe('2026-11');
  });

  it('turns --from and --to into whole local days, both included', () => {
    const r = rangePeriod('2026-11-16', '2026-11-22', 'Asia/Shanghai');
    const w = weekPeriod('2026-W47', 'Asia/Shanghai');
    expect([r.start, r.end]).toEqual([w.start, w.end]);
    expect(previousPeriod(r).label).toBe('2026-11-09_2026-11-15');
    expect(() => rangePeriod('2026-11-22', '2026-11-16', 'UTC')).toThrow(PeriodError);
    expect(() => rangePeriod('2026-02-30', '2026-03-02', 'UTC')).toThrow(/--from: expected a date/);
  });

  it('steps back across year boundaries for the previous week and month', () => {
    expect(previousPeriod(weekPeriod('2026-W01', 'UTC')).label).toBe('2025-W52');
    expect(previousPeriod(monthPeriod('2026-01', 'UTC')).label).toBe('2025-12');
    const m = monthPeriod('2026-11', 'Asia/Shanghai');
    expect(m.start.toISOString()).toBe('2026-10-31T16:00:00.000Z');
    expect(m.end.toISOString()).toBe('2026-11-30T16:00:00.000Z');
    expect(() => monthPeriod('2026-13', 'UTC')).toThrow(/month 13 does not exist/);
  });
});
