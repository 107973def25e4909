/**
 * The monthly report's recurring-problems list (问题管理), from problem records kept in a real state
 * database: the records of the month, the most frequent first, in both languages and every format.
 */
import { describe, expect, it } from 'vitest';
import { openStateDb } from '../../src/core/database.js';
import { buildReportModel } from '../../src/reports/model/build.js';
import { monthPeriod } from '../../src/reports/period.js';
import { sectionContext } from '../../src/reports/render/blocks.js';
import { renderMarkdown } from '../../src/reports/render/markdown.js';
import { buildDocument } from '../../src/reports/render/document.js';
import { incidentBlocks } from '../../src/reports/render/sections/incidents.js';
import { StateDbProblemSource } from '../../src/reports/sources/problem-records.js';
import { ProblemStore } from '../../src/service/problems/store.js';
import { EmptyFleet } from './empty-fleet.js';

const month = monthPeriod('2026-11', 'Asia/Shanghai');
const DAY = 86_400_000;
const day = (n: number) => new Date(month.start.getTime() + (n - 1) * DAY + 3_600_000);

describe('recurring problems in the monthly report', () => {
  const db = openStateDb('', ':memory:');
  const store = new ProblemStore(db);
  const inc = (id: string, d: number) => ({ id, openedAt: day(d) });
  const wan = store.open({ key: 'device:branch-rt-07', device: 'branch-rt-07', site: 'branch-sh', at: day(10), note: '3 incidents in 30 d',
    incidents: [inc('INC-1', 2), inc('INC-2', 6), inc('INC-3', 10)] });
  store.link(wan.id, inc('INC-4', 20), day(20));
  store.edit(wan.id, { rootCause: '运营商光缆老化 (carrier fibre ageing)', workaround: '切换到 4G 备份', fixStatus: 'fix-planned' }, 'li', day(21));
  const psu = store.open({ key: 'device:core-sw-01', device: 'core-sw-01', site: 'hq', at: new Date(month.start.getTime() - 20 * DAY), note: '3 incidents in 30 d',
    incidents: [inc('INC-0a', -25), inc('INC-0b', -22), inc('INC-0c', -20)] });
  store.close(psu.id, 'wang', day(3), 'PSU replaced');
  // Closed before the month and nothing since: not this month's business.
  const old = store.open({ key: 'device:old-sw', device: 'old-sw', at: new Date(month.start.getTime() - 60 * DAY), note: 'x',
    incidents: [inc('INC-x', -61), inc('INC-y', -60), inc('INC-z', -59)] });
  store.close(old.id, 'wang', new Date(month.start.getTime() - 40 * DAY));

  it('lists the records open during the month, the most incidents in the month first, with cause and fix status', async () => {
    const model = await buildReportModel({ period: month, metrics: new EmptyFleet(), problems: new StateDbProblemSource(db), now: day(30) });
    expect(model.problems!.map((p) => [p.id, p.incidentsInPeriod, p.state])).toEqual([[wan.id, 4, 'open'], [psu.id, 0, 'closed']]);
    const zh = JSON.stringify(incidentBlocks(sectionContext(model, 'zh-CN')));
    expect(zh).toContain('重复发生的问题');
    expect(zh).toContain('已计划修复');
    expect(zh).toContain('运营商光缆老化 (carrier fibre ageing)\\n切换到 4G 备份');
    const en = renderMarkdown(buildDocument(model, 'en'));
    expect(en).toContain('### Recurring problems');
    expect(en).toMatch(/\| PRB-0001 \| branch-rt-07<br>branch-sh \| — \| \*\*open\*\* \| 4 \| 4 \| fix planned \|/);
    expect(en).toContain('| PRB-0002 | core-sw-01<br>hq | — | closed | 0 | 3 | investigating |');
    expect(en).not.toContain('old-sw');
  });

  it('says so when no device had recurring incidents, and leaves the list out when no records are kept', async () => {
    const empty = openStateDb('', ':memory:');
    const none = await buildReportModel({ period: month, metrics: new EmptyFleet(), problems: new StateDbProblemSource(empty), now: day(30) });
    expect(renderMarkdown(buildDocument(none, 'zh-CN'))).toContain('本周期内没有设备反复发生事件。');
    const without = await buildReportModel({ period: month, metrics: new EmptyFleet(), now: day(30) });
    expect(renderMarkdown(buildDocument(without, 'en'))).not.toContain('Recurring problems');
  });
});
