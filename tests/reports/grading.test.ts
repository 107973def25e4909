import { describe, expect, it } from 'vitest';
import { fitTrend, projectCrossing } from '../../src/reports/model/capacity.js';
import { gradeBand, slaOf } from '../../src/reports/model/sla.js';

const MIN = 60_000;
const DAY = 86_400_000;

describe('SLA grading bands', () => {
  it('puts a response on the band limit in that band and one millisecond later in the next', () => {
    expect(gradeBand('response', 5 * MIN)).toBe(1);
    expect(gradeBand('response', 5 * MIN + 1)).toBe(2);
    expect(gradeBand('response', 12 * MIN)).toBe(3);
    expect(gradeBand('response', 15 * MIN + 1)).toBe(4);
    expect(gradeBand('resolution', 120 * MIN)).toBe(3);
    expect(gradeBand('resolution', 121 * MIN)).toBe(4);
  });

  it('judges an unacknowledged incident as missed only once its response target has passed', () => {
    const openedAt = new Date('2026-11-16T00:00:00Z');
    const i = { id: 'x', title: 't', severity: 'P1' as const, openedAt };
    expect(slaOf(i, new Date(openedAt.getTime() + 29 * MIN)).responseMet).toBeUndefined();
    expect(slaOf(i, new Date(openedAt.getTime() + 31 * MIN)).responseMet).toBe(false);
  });

  it('uses the SLA record escalation kept instead of recomputing it', () => {
    const sla = { responseTargetMs: 1, resolutionTargetMs: 2, responseMs: 9, responseMet: false, responseBand: 2 };
    expect(slaOf({ id: 'x', title: 't', severity: 'P4', openedAt: new Date(0), sla }, new Date())).toBe(sla);
  });
});

describe('capacity projection', () => {
  it('finds the day a volume growing 2 points a day from 80 % reaches 90 %', () => {
    const t0 = Date.UTC(2026, 10, 16);
    const points = Array.from({ length: 7 * 24 }, (_, h) => ({ time: new Date(t0 + h * 3_600_000), value: 80 + (2 * h) / 24 }));
    const end = new Date(t0 + 7 * DAY);
    expect(fitTrend(points)!.slopePerMs * DAY).toBeCloseTo(2, 9);
    // 80 + 2 * 7 = 94 at the end: already over.
    expect(projectCrossing(points, end)!.at).toEqual(end);
    const slower = points.map((p) => ({ ...p, value: p.value - 10 }));
    expect(projectCrossing(slower, end)!.at.getTime()).toBeCloseTo(t0 + 10 * DAY, -3);
  });

  it('projects nothing for a flat or shrinking trend, or one reaching 90 % after 30 days', () => {
    const t0 = Date.UTC(2026, 10, 16);
    const flat = Array.from({ length: 48 }, (_, h) => ({ time: new Date(t0 + h * 3_600_000), value: 50 }));
    expect(projectCrossing(flat, new Date(t0 + 2 * DAY))).toBeUndefined();
    const slow = flat.map((p, h) => ({ ...p, value: 50 + (0.5 * h) / 24 }));
    expect(projectCrossing(slow, new Date(t0 + 2 * DAY))).toBeUndefined();
  });
});
