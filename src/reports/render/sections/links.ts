import { THRESHOLDS } from '../../model/thresholds.js';
import { addDays, startOfLocalDay } from '../../time-zone.js';
import { DASH, type Block, type SectionContext } from '../blocks.js';
import { hbarChart, lineChart } from '../charts.js';

/** Latency and loss per site as a table, and the latency trend as a line chart. */
export function siteLatency(ctx: SectionContext): Block[] {
  const { model, s, fmt, pct1, pct3, ms } = ctx;
  const blocks: Block[] = [{ type: 'h3', text: s.subLatency }];
  if (model.sites.length === 0) return [...blocks, { type: 'p', text: s.noSites, tone: 'note' }];
  blocks.push({
    type: 'table', head: [s.col.site, s.col.availability, s.col.rttAvg, s.col.rttMax, s.col.lossAvg, s.col.lossMax], align: ['l', 'r', 'r', 'r', 'r', 'r'],
    rows: model.sites.map((x) => [x.site || DASH, pct3(x.availabilityPct), ms(x.rttAvgMs), ms(x.rttMaxMs), pct1(x.lossAvgPct), pct1(x.lossMaxPct)]),
  });
  if (model.latencyTrend.length === 0) return blocks;
  const period = model.period;
  const ticks: Date[] = [];
  let day = period.firstDay;
  const days = model.availabilityByDay.length;
  const every = days > 10 ? Math.ceil(days / 8) : 1;
  for (let i = 0; i < days && i < 400; i += every) { ticks.push(startOfLocalDay(day, period.timeZone)); day = addDays(day, every); }
  blocks.push({
    type: 'chart', alt: s.chartLatency,
    svg: lineChart({
      title: s.chartLatency, start: period.start, end: period.end, ticks,
      tickText: (t) => fmt.date(t).slice(5), valueText: (v) => fmt.num(v, v < 10 && v % 1 !== 0 ? 1 : 0),
      series: model.latencyTrend.map((t) => ({ name: t.site, points: t.points.map((p) => ({ time: p.time, value: p.rttAvgMs })) })),
    }),
  });
  return blocks;
}

/** The ten busiest interfaces as a bar chart and a table. */
export function topUtilisation({ model, s, fmt, pct1 }: SectionContext): Block[] {
  const blocks: Block[] = [{ type: 'h3', text: s.subTopUtil }];
  if (model.topUtilisation.length === 0) return [...blocks, { type: 'p', text: s.noInterfaces, tone: 'note' }];
  blocks.push({
    type: 'chart', alt: s.chartUtil,
    svg: hbarChart({ title: s.chartUtil, warnAt: THRESHOLDS.capacityPct, valueText: (v) => fmt.pct(v), items: model.topUtilisation.map((i) => ({ label: `${i.device} ${i.ifName}`, value: i.peakUtilPct ?? 0 })) }),
  });
  blocks.push({
    type: 'table', head: [s.col.device, s.col.interface, s.col.alias, s.col.peakUtil], align: ['l', 'l', 'l', 'r'],
    rows: model.topUtilisation.map((i) => [i.device, i.ifName, i.ifAlias || DASH, { text: pct1(i.peakUtilPct), tone: (i.peakUtilPct ?? 0) >= THRESHOLDS.capacityPct ? 'warn' : undefined }]),
  });
  return blocks;
}

/** The ten interfaces with the most errors. */
export function topErrors({ model, s, fmt }: SectionContext): Block[] {
  const blocks: Block[] = [{ type: 'h3', text: s.subTopErr }];
  if (model.topErrors.length === 0) return [...blocks, { type: 'p', text: model.topUtilisation.length === 0 ? s.noInterfaces : s.noErrors, tone: 'note' }];
  blocks.push({
    type: 'table', head: [s.col.device, s.col.interface, s.col.alias, s.col.inErrors, s.col.outErrors], align: ['l', 'l', 'l', 'r', 'r'],
    rows: model.topErrors.map((i) => [i.device, i.ifName, i.ifAlias || DASH, fmt.num(i.inErrors), fmt.num(i.outErrors)]),
  });
  return blocks;
}

/** 3. Links: site latency and loss, the busiest interfaces, the interfaces with errors. */
export function linkBlocks(ctx: SectionContext): Block[] {
  return [...siteLatency(ctx), ...topUtilisation(ctx), ...topErrors(ctx)];
}
