/**
 * Each report section is built by its own function from the model in one language; these build small
 * models from in-memory sources (no InfluxDB) and check one section at a time.
 */
import { describe, expect, it } from 'vitest';
import { buildReportModel } from '../../src/reports/model/build.js';
import { weekPeriod } from '../../src/reports/period.js';
import { sectionContext, type Block } from '../../src/reports/render/blocks.js';
import { buildDocument } from '../../src/reports/render/document.js';
import { incidentBlocks } from '../../src/reports/render/sections/incidents.js';
import { powerBlocks } from '../../src/reports/render/sections/power.js';
import { summaryBlocks } from '../../src/reports/render/sections/summary.js';
import { MemoryIncidentSource } from '../../src/reports/sources/memory-incidents.js';
import type { DeviceReachability, DeviceSeen, MetricsSource, UpsState } from '../../src/reports/sources/types.js';

const MIN = 60_000;
const week = weekPeriod('2026-W47', 'Asia/Shanghai');
const t = (min: number) => new Date(week.start.getTime() + min * MIN);

/** A metrics source that knows two devices and one UPS and nothing else. */
class SmallFleet implements MetricsSource {
  async devicesSeen(): Promise<DeviceSeen[]> { return [{ device: 'sw-1', site: 'hq', class: 'switch', vendor: 'huawei' }, { device: 'ups-1', site: 'hq', class: 'ups', vendor: 'apc' }]; }
  async reachability(): Promise<DeviceReachability[]> { return [{ device: 'sw-1', site: 'hq', samples: 100, upSamples: 100, lastUp: true }, { device: 'ups-1', site: 'hq', samples: 100, upSamples: 100, lastUp: true }]; }
  async availabilityByDay() { return []; }
  async siteLatency() { return []; }
  async siteLatencyTrend() { return []; }
  async load() { return []; }
  async storage() { return []; }
  async temperatures() { return []; }
  async hardware() { return []; }
  async reboots() { return []; }
  async ups(): Promise<UpsState[]> {
    return [{ device: 'ups-1', ups: 'main', minChargePct: 62, minRuntimeMin: 18, replaceBattery: false, onBattery: [{ start: t(600), end: t(625), durationMs: 25 * MIN }] }];
  }
  async interfaces() { return []; }
  async identity() { return []; }
}

const texts = (blocks: Block[]): string => JSON.stringify(blocks);

describe('report sections, one builder each', () => {
  it('power lists each UPS with its on-battery event and marks the device as needing attention', async () => {
    const model = await buildReportModel({ period: week, metrics: new SmallFleet(), now: t(20_000) });
    const blocks = powerBlocks(sectionContext(model, 'en'));
    expect(blocks.map((b) => b.type)).toEqual(['table', 'table']);
    expect(texts(blocks)).toContain('ups-1 (main)');
    expect(texts(blocks)).toContain('1 event, 25 min');
    expect(model.devices.find((d) => d.device === 'ups-1')!.verdict).toBe('attention');
  });

  it('incidents and summary say the incident store is not connected instead of showing zero incidents', async () => {
    const model = await buildReportModel({ period: week, metrics: new SmallFleet(), now: t(20_000) });
    const ctx = sectionContext(model, 'zh-CN');
    expect(incidentBlocks(ctx)).toEqual([{ type: 'p', text: ctx.s.notConnected, tone: 'note' }]);
    expect(summaryBlocks(ctx).some((b) => b.type === 'p' && b.text === ctx.s.notConnected)).toBe(true);
  });

  it('summary shows the grading-band table only once an incident was graded, with escalation\'s band labels', async () => {
    const graded = await buildReportModel({
      period: week, metrics: new SmallFleet(), now: t(20_000),
      incidents: new MemoryIncidentSource([{ id: 'INC-1', title: 'down', severity: 'P2', device: 'sw-1', openedAt: t(100), acknowledgedAt: t(112), resolvedAt: t(150) }]),
    });
    const table = summaryBlocks(sectionContext(graded, 'en')).find((b) => b.type === 'table');
    expect(table && table.type === 'table' && table.rows[0]).toEqual(['Response', '0 (≤ 5 min)', '0 (≤ 10 min)', '1 (≤ 15 min)', '0 (> 15 min)', '100.0 %']);
    const none = await buildReportModel({ period: week, metrics: new SmallFleet(), now: t(20_000), incidents: new MemoryIncidentSource([]) });
    expect(summaryBlocks(sectionContext(none, 'en')).some((b) => b.type === 'table')).toBe(false);
  });

  it('the document has the numbered sections in order in both languages', async () => {
    const model = await buildReportModel({ period: week, metrics: new SmallFleet(), now: t(20_000) });
    expect(buildDocument(model, 'en').sections.map((s) => s.title)).toEqual(['1. Summary', '2. Device inspection', '3. Links', '4. Power (UPS)', '5. Incidents', '6. Changes', '7. Capacity outlook', '8. Recommendations', '9. Events', '10. Configuration changes', '11. Configuration compliance']);
    expect(buildDocument(model, 'zh-CN').sections.map((s) => s.title).slice(7)).toEqual(['八、运维建议', '九、事件统计', '十、配置变更', '十一、配置合规']);
  });
});
