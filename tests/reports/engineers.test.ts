/**
 * Engineer figures (工程师评估) of a seeded month, against values computed by hand; and the people facts
 * (who resolved, who was paged first, how far paging went) read from a real state database's outbox.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { Outbox } from '../../src/alerting/outbox.js';
import { AlertStore } from '../../src/alerting/store.js';
import { FakeClock } from '../../src/core/clock.js';
import { openStateDb } from '../../src/core/database.js';
import type { Notice } from '../../src/alerting/escalation/notice.js';
import { buildReportModel } from '../../src/reports/model/build.js';
import { monthPeriod } from '../../src/reports/period.js';
import { renderMarkdown } from '../../src/reports/render/markdown.js';
import { buildDocument } from '../../src/reports/render/document.js';
import { EscalationFacts } from '../../src/reports/sources/escalation-facts.js';
import { MemoryIncidentSource } from '../../src/reports/sources/memory-incidents.js';
import type { IncidentRecord, SlaGrade } from '../../src/reports/sources/types.js';
import { EmptyFleet } from './empty-fleet.js';

const month = monthPeriod('2026-11', 'Asia/Shanghai');
const MIN = 60_000;
const DAY = 86_400_000;
const at = (day: number, min = 0) => new Date(month.start.getTime() + (day - 1) * DAY + 2 * 3_600_000 + min * MIN);
const P1: Pick<SlaGrade, 'responseTargetMs' | 'resolutionTargetMs'> = { responseTargetMs: 30 * MIN, resolutionTargetMs: 120 * MIN };

/** One incident of the month: opened on `day`, acknowledged after `ack` minutes (service time), resolved after `res`. */
function incident(id: string, day: number, o: { ack?: [string, number]; res?: number; resolvedBy?: string; watch?: string[]; escalatedTo?: string; muted?: boolean }): IncidentRecord {
  const ackMs = o.ack ? o.ack[1] * MIN : undefined;
  const resMs = o.res !== undefined ? o.res * MIN : undefined;
  return {
    id, title: id, severity: 'P1', device: 'sw', openedAt: at(day),
    acknowledgedAt: ackMs !== undefined ? new Date(at(day).getTime() + ackMs) : undefined, acknowledgedBy: o.ack?.[0],
    resolvedAt: resMs !== undefined ? new Date(at(day).getTime() + resMs) : undefined, resolvedBy: o.resolvedBy,
    onWatch: o.watch, escalatedTo: o.escalatedTo,
    sla: o.muted ? { ...P1, notGraded: 'muted' } : {
      ...P1, responseMs: ackMs, resolutionMs: resMs,
      responseMet: ackMs !== undefined ? ackMs <= 30 * MIN : undefined, resolutionMet: resMs !== undefined ? resMs <= 120 * MIN : undefined,
    },
  };
}

const SEEDED: IncidentRecord[] = [
  // wang: acknowledged 4 (5, 12, 40, 8 min), resolved 2; paged first on 4, one of which went to the lead.
  incident('INC-1', 2, { ack: ['wang', 5], res: 60, resolvedBy: 'wang', watch: ['wang'] }),
  incident('INC-2', 5, { ack: ['wang', 12], res: 150, watch: ['wang'] }),
  incident('INC-3', 9, { ack: ['wang', 40], res: 100, resolvedBy: 'wang', watch: ['wang'], escalatedTo: 'Team lead' }),
  incident('INC-4', 14, { ack: ['wang', 8], res: 30, watch: ['wang'] }),
  // li: acknowledged 2 (20 and 3 min); the second was muted (not graded); resolved one that chen acknowledged.
  incident('INC-5', 16, { ack: ['li', 20], res: 90, watch: ['li'] }),
  incident('INC-6', 18, { ack: ['li', 3], res: 20, watch: ['li'], muted: true }),
  incident('INC-7', 20, { ack: ['chen', 45], res: 200, resolvedBy: 'li', watch: ['li', 'zhou'], escalatedTo: 'Manager' }),
  // Nobody acknowledged: it cleared by itself; zhou was on watch and the lead was paged.
  incident('INC-8', 25, { res: 70, watch: ['zhou'], escalatedTo: 'Team lead' }),
];

describe('engineer figures', () => {
  it('match the hand-computed month: counts, median and p90 response in service time, SLA met rate, escalations on their watch', async () => {
    const model = await buildReportModel({ period: month, metrics: new EmptyFleet(), incidents: new MemoryIncidentSource(SEEDED), now: at(30) });
    const byPerson = Object.fromEntries(model.engineers!.map((r) => [r.person, r]));
    expect(Object.keys(byPerson)).toEqual(['chen', 'li', 'wang', 'zhou']);
    // wang's responses 5, 8, 12, 40 min: median (8 + 12) / 2 = 10; p90 at rank 0.9 × 3 = 2.7 → 12 + 0.7 × 28 = 31.6 min.
    // SLA met: INC-1 (5/60) yes, INC-2 (12/150) no, INC-3 (40/100) no, INC-4 (8/30) yes → 2 of 4.
    expect(byPerson.wang).toEqual({
      person: 'wang', acknowledged: 4, responseMedianMs: 10 * MIN, responseP90Ms: 31.6 * MIN, resolved: 2,
      slaGraded: 4, slaMet: 2, onWatch: 4, escalated: 1, escalatedTo: { 'Team lead': 1 },
    });
    // li: responses 3 and 20 → median 11.5, p90 3 + 0.9 × 17 = 18.3; INC-6 muted → graded 1 (INC-5: 20/90 met).
    expect(byPerson.li).toMatchObject({ acknowledged: 2, responseMedianMs: 11.5 * MIN, resolved: 1, slaGraded: 1, slaMet: 1, onWatch: 3, escalated: 1, escalatedTo: { Manager: 1 } });
    expect(byPerson.li!.responseP90Ms).toBe(18.3 * MIN);
    expect(byPerson.chen).toMatchObject({ acknowledged: 1, responseMedianMs: 45 * MIN, resolved: 0, slaGraded: 1, slaMet: 0, onWatch: 0, escalated: 0 });
    expect(byPerson.zhou).toMatchObject({ acknowledged: 0, resolved: 0, onWatch: 2, escalated: 2, escalatedTo: { Manager: 1, 'Team lead': 1 } });

    const zh = renderMarkdown(buildDocument(model, 'zh-CN'));
    expect(zh).toContain('### 工程师评估');
    expect(zh).toContain('| wang | 4 | 10分钟 | 32分钟 | 2 | **50.0% (2/4)** | 4 | **1 (Team lead 1 次)** |');
    const en = renderMarkdown(buildDocument(model, 'en'));
    expect(en).toContain('| wang | 4 | 10 min | 32 min | 2 | **50.0 % (2/4)** | 4 | **1 (Team lead 1×)** |');
  });

  it('are left out of the customer version', async () => {
    const model = await buildReportModel({ period: month, metrics: new EmptyFleet(), incidents: new MemoryIncidentSource(SEEDED), now: at(30), audience: 'customer' });
    expect(model.engineers).toBeUndefined();
    expect(renderMarkdown(buildDocument(model, 'en'))).not.toContain('Engineer figures');
  });

  it('read who resolved, who was paged first and how far paging went from the state database', () => {
    const db = openStateDb('', ':memory:');
    const clock = new FakeClock(at(3).getTime());
    const store = new AlertStore(db);
    const outbox = new Outbox({ db, clock, log: pino({ level: 'silent' }), notifiers: new Map(), settings: { giveUpAfter: DAY } as never });
    const notice = (id: string, kind: Notice['kind'], step: number, tier: string, people: string[]): Notice => ({
      id, kind, channel: 'ding', locale: 'en', timezone: 'Asia/Shanghai', createdAt: at(3).toISOString(), step, tier,
      incident: { id: 'INC-9' } as Notice['incident'], recipients: people.map((name) => ({ name, displayName: name })), links: {},
    });
    outbox.enqueue(notice('n1', 'opened', 0, 'Engineer', ['wang', 'li']));
    outbox.enqueue(notice('n2', 'escalated', 1, 'Team lead', ['chen']));
    outbox.enqueue(notice('n3', 'escalated', 2, 'Manager', ['zhou']));
    outbox.enqueue(notice('n4', 'acknowledged', 0, 'Engineer', ['wang']));
    store.appendEvent('resolved', at(3, 50).getTime(), { id: 'INC-9' } as never, 'li', 'replaced SFP');
    expect(new EscalationFacts(db).of('INC-9')).toEqual({ resolvedBy: 'li', onWatch: ['li', 'wang'], escalatedTo: 'Manager' });
    expect(new EscalationFacts(openStateDb('', ':memory:')).of('INC-9')).toEqual({});
  });
});
