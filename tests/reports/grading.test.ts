import { describe, expect, it } from 'vitest';
import { DEFAULT_SLA } from '../../src/alerting/escalation/config.js';
import { RESOLUTION_BANDS, RESPONSE_BANDS, SlaStore } from '../../src/alerting/escalation/sla.js';
import { openStateDb } from '../../src/core/database.js';
import { SEVERITIES, type IncidentView, type Severity } from '../../src/core/incident.js';
import { fitTrend, projectCrossing } from '../../src/reports/model/capacity.js';
import { slaOf } from '../../src/reports/model/sla.js';
import { fromEscalationSla, gradeBand } from '../../src/reports/sources/sla-grade.js';
import { strings } from '../../src/reports/render/i18n.js';
import type { IncidentRecord } from '../../src/reports/sources/types.js';

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

describe("the report grades with escalation's targets and bands", () => {
  const opened = new Date('2026-11-16T00:00:00Z');
  const at = (min: number, ms = 0) => new Date(opened.getTime() + min * MIN + ms);
  /** Incidents whose times sit on, just before and just after escalation's targets and band limits, per severity. */
  const cases = SEVERITIES.flatMap((severity: Severity) => {
    const respondMin = DEFAULT_SLA[severity].respond / MIN;
    const resolveMin = DEFAULT_SLA[severity].resolve / MIN;
    const list: { ack?: Date; resolved?: Date }[] = [
      { ack: at(respondMin), resolved: at(resolveMin) },
      { ack: at(respondMin, 1), resolved: at(resolveMin, 1) },
      { resolved: at(RESPONSE_BANDS[0]!) },
      { resolved: at(resolveMin + 5) },
      {},
      ...RESPONSE_BANDS.flatMap((b) => [{ ack: at(b) }, { ack: at(b, 1) }]),
      ...RESOLUTION_BANDS.flatMap((b) => [{ ack: at(1), resolved: at(b) }, { ack: at(1), resolved: at(b, 1) }]),
    ];
    return list.map((c, i) => ({ id: `${severity}-${i}`, severity, ...c }));
  });

  it("grades an incident from its timestamps exactly as escalation's SLA record of it, for every severity", () => {
    const db = openStateDb('', ':memory:');
    try {
      const store = new SlaStore(db);
      const asOf = at(3 * 24 * 60);
      for (const c of cases) {
        const view = { id: c.id, key: c.id, title: 't', severity: c.severity, state: 'open', openedAt: opened, alerts: [], muted: false, flapping: false, suppressedDevices: [] } as unknown as IncidentView;
        // Escalation opens the record with the targets of its (default) policy, as it does when it pages.
        store.opened(view, DEFAULT_SLA[c.severity]);
        store.paged(c.id);
        if (c.ack) store.acknowledged(c.id, c.ack, 'li.wei');
        if (c.resolved) store.resolved(c.id, c.resolved);
        // As the alert-store source reads it: an open incident's record with the service time its clock has run.
        const r = store.get(c.id, asOf.getTime())!;
        const fromRecord = fromEscalationSla(r, r.resolvedAt ? undefined : store.clock(c.id)!.elapsed(asOf.getTime()));
        const incident: IncidentRecord = { id: c.id, title: 't', severity: c.severity, openedAt: opened, acknowledgedAt: c.ack, resolvedAt: c.resolved };
        // The record also says which calendar the clocks ran in and what was paused; the grades are the same.
        const { calendar, pausedMs, pauses, ...grade } = fromRecord;
        expect({ calendar, pausedMs, pauses }, c.id).toEqual({ calendar: '7x24', pausedMs: 0, pauses: [] });
        expect(slaOf(incident, asOf), c.id).toEqual(grade);
        expect(fromRecord.responseTargetMs).toBe(DEFAULT_SLA[c.severity].respond);
        expect(fromRecord.resolutionTargetMs).toBe(DEFAULT_SLA[c.severity].resolve);
      }
    } finally { db.close(); }
  });

  it("labels the grading bands in both languages from escalation's band limits", () => {
    expect(strings('en').bandLabels.response).toEqual([...RESPONSE_BANDS.map((m) => `≤ ${m} min`), `> ${RESPONSE_BANDS.at(-1)} min`]);
    expect(strings('zh-CN').bandLabels.resolution).toEqual([...RESOLUTION_BANDS.map((m) => `≤${m}分钟`), `>${RESOLUTION_BANDS.at(-1)}分钟`]);
    expect(gradeBand('response', RESPONSE_BANDS.at(-1)! * MIN + 1)).toBe(4);
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
