import { describe, expect, it } from 'vitest';
import { nextFire, parseCron } from '../../../src/alerting/cron.js';

const at = (iso: string) => Date.parse(iso);
const next = (expr: string, from: string, tz = 'UTC') => {
  const t = nextFire(parseCron(expr, tz), at(from));
  return t === undefined ? undefined : new Date(t).toISOString();
};

describe('cron next-fire calculation for maintenance windows', () => {
  it('finds the next minute, hour, weekday and month matches', () => {
    expect(next('*/15 * * * *', '2026-11-23T08:01:30Z')).toBe('2026-11-23T08:15:00.000Z');
    expect(next('0 2 * * 0', '2026-11-23T08:00:00Z')).toBe('2026-11-29T02:00:00.000Z');
    expect(next('30 22 1 * *', '2026-11-23T00:00:00Z')).toBe('2026-12-01T22:30:00.000Z');
    expect(next('0 0 29 2 *', '2026-03-01T00:00:00Z')).toBe('2028-02-29T00:00:00.000Z');
  });
  it('an exact match at the start instant is returned', () => {
    expect(next('0 2 * * sun', '2026-11-29T02:00:00Z')).toBe('2026-11-29T02:00:00.000Z');
  });
  it('day-of-month and day-of-week both restricted match either (standard cron)', () => {
    expect(next('0 0 15 * mon', '2026-11-10T12:00:00Z')).toBe('2026-11-15T00:00:00.000Z');
  });
  it('evaluates wall-clock fields in the window time zone', () => {
    expect(next('0 2 * * 0', '2026-11-21T00:00:00Z', 'Asia/Shanghai')).toBe('2026-11-21T18:00:00.000Z');
    expect(next('0 9 * * *', '2026-07-01T00:00:00Z', 'Europe/Berlin')).toBe('2026-07-01T07:00:00.000Z');
  });
  it('rejects malformed expressions with the field at fault', () => {
    expect(() => parseCron('0 2 * *')).toThrow('expected 5 fields');
    expect(() => parseCron('0 2 * * 8')).toThrow('day-of-week: expected a number from 0 to 7, got 8');
    expect(() => parseCron('5-1 * * * *')).toThrow('minute: range 5-1 runs backwards');
    expect(() => parseCron('*/0 * * * *')).toThrow('minute: expected a step of at least 1');
  });
});
