import { SEVERITIES } from '../../../core/incident.js';
import { THRESHOLDS } from '../../model/thresholds.js';
import { paren, type Block, type SectionContext } from '../blocks.js';
import { barChart } from '../charts.js';
import { monthBlocks } from './months.js';

/** The six headline numbers: devices, availability, incidents, response and resolution SLA, verdict. */
export function summaryKpis({ model, s, fmt }: SectionContext): Block {
  const sum = model.summary;
  const sev = sum.incidentsBySeverity;
  const sla = sum.sla;
  const avail = sum.availabilityPct;
  return {
    type: 'kpis', items: [
      { label: s.kpi.devices, value: fmt.num(sum.devicesInspected), sub: s.withData(sum.devicesWithData, sum.devicesInspected) },
      { label: s.kpi.availability, value: avail === undefined ? s.noValue : fmt.pct(avail, 3), tone: avail === undefined ? undefined : avail >= THRESHOLDS.availabilityPct ? 'good' : 'warn' },
      { label: s.kpi.incidents, value: sev ? fmt.num(SEVERITIES.reduce((a, k) => a + sev[k], 0)) : s.noValue, sub: sev ? SEVERITIES.map((k) => `${k} ${sev[k]}`).join(' · ') : undefined },
      { label: s.kpi.response, value: sla?.responseCompliancePct === undefined ? (sla ? s.notMeasured : s.noValue) : fmt.pct(sla.responseCompliancePct), sub: sla ? s.met(sla.responseMet, sla.responseMet + sla.responseMissed) : undefined, tone: sla?.responseMissed ? 'warn' : undefined },
      { label: s.kpi.resolution, value: sla?.resolutionCompliancePct === undefined ? (sla ? s.notMeasured : s.noValue) : fmt.pct(sla.resolutionCompliancePct), sub: sla ? s.met(sla.resolutionMet, sla.resolutionMet + sla.resolutionMissed) : undefined, tone: sla?.resolutionMissed ? 'warn' : undefined },
      { label: s.kpi.verdict, value: s.verdict[sum.verdict], sub: sum.verdict === 'abnormal' ? s.attention(sum.attentionCount) : undefined, tone: sum.verdict === 'normal' ? 'good' : sum.verdict === 'abnormal' ? 'bad' : undefined },
    ],
  };
}

/** Incidents per grading band and compliance, for response and resolution; nothing when none was graded. */
export function slaBands({ model, s, zh, pct1 }: SectionContext): Block[] {
  const sla = model.summary.sla;
  if (!sla || sla.incidents === 0) return [];
  return [{ type: 'h3', text: s.bands }, {
    type: 'table', head: ['', ...[1, 2, 3, 4].map((b) => s.bandName(b)), s.compliance],
    align: ['l', 'r', 'r', 'r', 'r', 'r'],
    rows: [
      [s.respLabel, ...sla.responseBands.map((n, i) => paren(zh, String(n), s.bandLabels.response[i] ?? '')), pct1(sla.responseCompliancePct)],
      [s.resoLabel, ...sla.resolutionBands.map((n, i) => paren(zh, String(n), s.bandLabels.resolution[i] ?? '')), pct1(sla.resolutionCompliancePct)],
    ],
  }];
}

/** Availability per local day as bars, the scale starting just below the worst day. */
export function availabilityChart({ model, s, fmt }: SectionContext): Block {
  const known = model.availabilityByDay.map((d) => d.pct).filter((v): v is number => v !== undefined);
  const lowest = known.length > 0 ? Math.min(...known) : 100;
  const min = Math.max(0, Math.min(99, Math.floor(lowest) - 1));
  return {
    type: 'chart', alt: s.chartAvailability,
    svg: barChart({
      title: s.chartAvailability, min, max: 100, warnBelow: THRESHOLDS.availabilityPct, missingText: s.noValue,
      valueText: (v) => (Number.isInteger(v) ? fmt.pct(v, 0) : fmt.pct(v, 2)),
      bars: model.availabilityByDay.map((d) => ({ label: d.day.slice(5), value: d.pct })),
    }),
  };
}

/** 1. Summary: the headline numbers, the SLA bands and the availability chart. */
export function summaryBlocks(ctx: SectionContext): Block[] {
  const { model, s } = ctx;
  const blocks: Block[] = [];
  if (!model.hasData) blocks.push(ctx.noDataNote);
  blocks.push(summaryKpis(ctx));
  if (!model.summary.incidentsBySeverity) blocks.push({ type: 'p', text: s.notConnected, tone: 'note' });
  blocks.push(...slaBands(ctx));
  if (model.hasData) blocks.push(availabilityChart(ctx));
  blocks.push(...monthBlocks(ctx));
  return blocks;
}
