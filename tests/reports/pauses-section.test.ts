import { describe, expect, it } from 'vitest';
import type { SlaRecord } from '../../src/alerting/escalation/sla.js';
import { renderReport } from '../../src/reports/generate.js';
import { buildReportModel } from '../../src/reports/model/build.js';
import { monthPeriod } from '../../src/reports/period.js';
import { MemoryIncidentSource } from '../../src/reports/sources/memory-incidents.js';
import { fromEscalationSla } from '../../src/reports/sources/sla-grade.js';
import { EmptyFleet } from './empty-fleet.js';

const TZ = 'Asia/Shanghai';
const MIN = 60_000;
const opened = new Date('2026-11-06T01:00:00Z'); // Friday 09:00 Shanghai

/** Escalation's record of a P2 under the 5x8 office calendar, clocks paused twice (carrier fault, then the customer). */
function record(over: Partial<SlaRecord> = {}): SlaRecord {
  return {
    incidentId: 'INC-7', title: 'Uplink down', severity: 'P2', device: 'edge-rtr-02', openedAt: opened,
    acknowledgedAt: new Date(opened.getTime() + 5 * MIN), resolvedAt: new Date(opened.getTime() + 300 * MIN),
    respondTargetMs: 15 * MIN, resolveTargetMs: 240 * MIN, responseMs: 5 * MIN, resolutionMs: 180 * MIN, responseMet: true, resolutionMet: true,
    responseBand: '<=5m', resolutionBand: '<=240m', paged: true, calendar: 'office-5x8', pausedMs: 120 * MIN,
    pauses: [
      { id: 'p1', incidentId: 'INC-7', reason: 'carrier-fault', note: 'ticket 4711', startedAt: new Date(opened.getTime() + 30 * MIN), startedBy: 'alice', endedAt: new Date(opened.getTime() + 120 * MIN), endedBy: 'alice' },
      { id: 'p2', incidentId: 'INC-7', reason: 'waiting-for-customer', startedAt: new Date(opened.getTime() + 150 * MIN), startedBy: 'bob', endedAt: new Date(opened.getTime() + 180 * MIN), endedBy: 'bob' },
    ],
    ...over,
  };
}

async function render(records: SlaRecord[]) {
  const incidents = new MemoryIncidentSource(records.map((r) => ({
    id: r.incidentId, title: r.title, severity: r.severity, device: r.device, openedAt: r.openedAt,
    acknowledgedAt: r.acknowledgedAt, resolvedAt: r.resolvedAt, sla: fromEscalationSla(r),
  })));
  const model = await buildReportModel({ period: monthPeriod('2026-11', TZ), metrics: new EmptyFleet(), incidents, now: new Date('2026-12-01T00:00:00Z') });
  return {
    zh: (await renderReport(model, 'zh-CN', 'md')).content.toString('utf8'),
    en: (await renderReport(model, 'en', 'md')).content.toString('utf8'),
  };
}

describe('clock pauses and calendars in the report (both languages)', () => {
  it("maps the SLA record's calendar and pauses into the grade", () => {
    const g = fromEscalationSla(record());
    expect(g).toMatchObject({ calendar: 'office-5x8', pausedMs: 120 * MIN });
    expect(g.pauses?.map((p) => p.reason)).toEqual(['carrier-fault', 'waiting-for-customer']);
  });

  it('the incident row says how long the clocks were paused and why, and which calendar applied', async () => {
    const { zh, en } = await render([record()]);
    expect(en).toContain('paused 120 min (carrier fault, waiting for the customer)');
    expect(en).toContain('calendar office-5x8');
    expect(en).toContain('SLA clocks ran in the service calendar(s): office-5x8.');
    expect(en).toMatch(/\| INC-7 \| office-5x8 \| 120 min \| carrier fault, waiting for the customer \|/);
    expect(zh).toContain('暂停计时 120 分钟（运营商故障、等待客户）');
    expect(zh).toContain('服务日历 office-5x8');
    expect(zh).toMatch(/\| INC-7 \| office-5x8 \| 120 min \| 运营商故障、等待客户 \|/);
  });

  it('says nothing of pauses for an incident without any, and leaves the 7x24 calendar out of the row', async () => {
    const { en } = await render([record({ pauses: [], pausedMs: 0, calendar: '7x24' })]);
    expect(en).not.toContain('paused');
    expect(en).not.toContain('SLA clock pauses');
    expect(en).not.toContain('calendar 7x24');
    expect(en).toContain('SLA clocks ran in the service calendar(s): 7x24.');
  });
});
