import { describe, expect, it } from 'vitest';
import { onCallAt, parseLocalDateTime } from '../../../src/alerting/escalation/rotation.js';
import { scheduleSchema } from '../../../src/alerting/escalation/schema.js';

const schedule = (over: Record<string, unknown>) => scheduleSchema.parse({ rotation: 'daily', handoff: '09:00', start: '2026-01-05', people: ['ann', 'ben', 'cai'], ...over });
const who = (s: ReturnType<typeof schedule>, iso: string, tz = 'UTC') => onCallAt(s, tz, Date.parse(iso)).person;

describe('on-call rotation', () => {
  it('hands off a daily rotation at 09:00 Asia/Shanghai, which is 01:00 UTC', () => {
    const s = schedule({ timezone: 'Asia/Shanghai' });
    expect(who(s, '2026-01-05T00:59:59Z')).toBe('cai'); // 08:59 on the 5th: the day before the rotation began, wrapping back
    expect(who(s, '2026-01-05T01:00:00Z')).toBe('ann');
    expect(who(s, '2026-01-06T00:59:00Z')).toBe('ann');
    expect(who(s, '2026-01-06T01:00:00Z')).toBe('ben');
    expect(who(s, '2026-01-07T16:30:00Z')).toBe('cai'); // 00:30 on the 8th locally: still the 7th's shift
    const shift = onCallAt(s, 'UTC', Date.parse('2026-01-06T05:00:00Z'));
    expect([shift.shiftStart.toISOString(), shift.shiftEnd.toISOString()]).toEqual(['2026-01-06T01:00:00.000Z', '2026-01-07T01:00:00.000Z']);
  });

  it('uses noctua.yaml time zone when the schedule names none', () => {
    const s = schedule({});
    // 05:00 UTC is 13:00 in Shanghai (after the hand-off) but before 09:00 in UTC.
    expect(who(s, '2026-01-06T05:00:00Z', 'Asia/Shanghai')).toBe('ben');
    expect(who(s, '2026-01-06T05:00:00Z', 'UTC')).toBe('ann');
  });

  it('hands off a weekly rotation on the configured day, the first person covering the week containing the start date', () => {
    const s = schedule({ rotation: 'weekly', handoffDay: 'wednesday', start: '2026-01-05', timezone: 'Asia/Shanghai' });
    // 2026-01-05 is a Monday: ann holds from Wednesday 2025-12-31 09:00 to Wednesday 2026-01-07 09:00 (Shanghai).
    expect(who(s, '2026-01-05T12:00:00Z')).toBe('ann');
    expect(who(s, '2026-01-07T00:59:00Z')).toBe('ann');
    expect(who(s, '2026-01-07T01:00:00Z')).toBe('ben');
    expect(who(s, '2026-01-14T01:00:00Z')).toBe('cai');
    expect(who(s, '2026-01-21T01:00:00Z')).toBe('ann');
  });

  it('keeps the hand-off at 09:00 local across a daylight-saving change', () => {
    const s = schedule({ timezone: 'America/New_York', start: '2026-03-06' });
    // EST (UTC-5) on 7 March, EDT (UTC-4) from 8 March.
    expect(who(s, '2026-03-07T13:59:00Z')).toBe('ann');
    expect(who(s, '2026-03-07T14:00:00Z')).toBe('ben');
    expect(who(s, '2026-03-08T12:59:00Z')).toBe('ben');
    expect(who(s, '2026-03-08T13:00:00Z')).toBe('cai');
  });

  it('lets an override for a date range win over the rotation, in the schedule time zone', () => {
    const s = schedule({ timezone: 'Asia/Shanghai', overrides: [{ from: '2026-01-06 09:00', to: '2026-01-08', person: 'zed', reason: 'swap' }] });
    expect(who(s, '2026-01-06T00:59:00Z')).toBe('ann');
    const o = onCallAt(s, 'UTC', Date.parse('2026-01-06T01:00:00Z'));
    expect(o).toMatchObject({ person: 'zed', override: true, reason: 'swap' });
    expect(who(s, '2026-01-07T15:59:00Z')).toBe('zed'); // 23:59 on the 7th locally
    expect(who(s, '2026-01-07T16:00:00Z')).toBe('cai'); // midnight: the override ends, the 7th's shift holder is back
  });

  it('reads local and offset times for overrides', () => {
    expect(new Date(parseLocalDateTime('2026-01-06 09:00', 'Asia/Shanghai')).toISOString()).toBe('2026-01-06T01:00:00.000Z');
    expect(new Date(parseLocalDateTime('2026-01-06', 'Asia/Shanghai')).toISOString()).toBe('2026-01-05T16:00:00.000Z');
    expect(new Date(parseLocalDateTime('2026-01-06T09:00+02:00', 'Asia/Shanghai')).toISOString()).toBe('2026-01-06T07:00:00.000Z');
  });
});
