/**
 * The report laid out in one language: headings, tables, charts and sentences, independent of the
 * output format. HTML (and through it PDF) and Markdown are serialisations of this document.
 */
import { SEVERITIES } from '../core/incident.js';
import { barChart, hbarChart, lineChart } from './charts.js';
import { ReportFormat, type ReportLang } from './format.js';
import { findingText, periodText, recommendationText, reportTitle, sectionTitle, strings, verdictText } from './i18n.js';
import type { ReportModel } from './model.js';
import { THRESHOLDS } from './model.js';
import { addDays, startOfLocalDay } from './time-zone.js';

/** A cell with an optional emphasis. */
export type Cell = string | { text: string; tone?: 'good' | 'warn' | 'bad' | 'muted' };

/** One block of content. */
export type Block =
  | { type: 'p'; text: string; tone?: 'warn' | 'note' }
  | { type: 'h3'; text: string }
  | { type: 'kpis'; items: { label: string; value: string; sub?: string; tone?: 'good' | 'warn' | 'bad' }[] }
  | { type: 'table'; head: string[]; rows: Cell[][]; align?: ('l' | 'r' | 'c')[]; variant?: 'incidents' | 'devices' }
  | { type: 'list'; items: string[]; ordered: boolean }
  | { type: 'chart'; svg: string; alt: string };

/** A whole report in one language. */
export interface ReportDocument {
  lang: ReportLang;
  title: string;
  /** Period line for headers: `2026-W47 · 2026年11月16日 至 2026年11月22日`. */
  periodLine: string;
  meta: { label: string; value: string }[];
  verdict: { text: string; tone: 'good' | 'bad' | 'muted' };
  sections: { title: string; blocks: Block[] }[];
  footnotes: string[];
}

const DASH = '—';

/** `text（note）` in Chinese, `text (note)` in English. */
function paren(zh: boolean, text: string, note: string): string {
  return zh ? `${text}（${note}）` : `${text} (${note})`;
}

/** Lays out the model in one language. */
export function buildDocument(model: ReportModel, lang: ReportLang): ReportDocument {
  const s = strings(lang);
  const fmt = new ReportFormat(lang, model.period.timeZone);
  const zh = lang === 'zh-CN';
  const opt = (v: number | undefined, f: (v: number) => string): string => (v === undefined ? DASH : f(v));
  const pct1 = (v: number | undefined) => opt(v, (x) => fmt.pct(x));
  const pct3 = (v: number | undefined) => opt(v, (x) => fmt.pct(x, 3));
  const ms = (v: number | undefined) => opt(v, (x) => `${fmt.num(x, 1)} ms`);
  const period = model.period;
  const sections: ReportDocument['sections'] = [];
  const noDataNote: Block = { type: 'p', text: s.noDataPeriod, tone: 'warn' };

  // 1. Summary
  {
    const blocks: Block[] = [];
    if (!model.hasData) blocks.push(noDataNote);
    const sum = model.summary;
    const sev = sum.incidentsBySeverity;
    const slaS = sum.sla;
    blocks.push({
      type: 'kpis', items: [
        { label: s.kpi.devices, value: fmt.num(sum.devicesInspected), sub: s.withData(sum.devicesWithData, sum.devicesInspected) },
        { label: s.kpi.availability, value: sum.availabilityPct === undefined ? s.noValue : fmt.pct(sum.availabilityPct, 3), tone: sum.availabilityPct === undefined ? undefined : sum.availabilityPct >= THRESHOLDS.availabilityPct ? 'good' : 'warn' },
        { label: s.kpi.incidents, value: sev ? fmt.num(SEVERITIES.reduce((a, k) => a + sev[k], 0)) : s.noValue, sub: sev ? SEVERITIES.map((k) => `${k} ${sev[k]}`).join(' · ') : undefined },
        { label: s.kpi.response, value: slaS?.responseCompliancePct === undefined ? (slaS ? s.notMeasured : s.noValue) : fmt.pct(slaS.responseCompliancePct), sub: slaS ? s.met(slaS.responseMet, slaS.responseMet + slaS.responseMissed) : undefined, tone: slaS?.responseMissed ? 'warn' : undefined },
        { label: s.kpi.resolution, value: slaS?.resolutionCompliancePct === undefined ? (slaS ? s.notMeasured : s.noValue) : fmt.pct(slaS.resolutionCompliancePct), sub: slaS ? s.met(slaS.resolutionMet, slaS.resolutionMet + slaS.resolutionMissed) : undefined, tone: slaS?.resolutionMissed ? 'warn' : undefined },
        { label: s.kpi.verdict, value: s.verdict[sum.verdict], sub: sum.verdict === 'abnormal' ? s.attention(sum.attentionCount) : undefined, tone: sum.verdict === 'normal' ? 'good' : sum.verdict === 'abnormal' ? 'bad' : undefined },
      ],
    });
    if (!sev) blocks.push({ type: 'p', text: s.notConnected, tone: 'note' });
    if (slaS && slaS.incidents > 0) {
      blocks.push({ type: 'h3', text: s.bands });
      blocks.push({
        type: 'table', head: ['', ...[1, 2, 3, 4].map((b) => s.bandName(b)), s.compliance],
        align: ['l', 'r', 'r', 'r', 'r', 'r'],
        rows: [
          [s.respLabel, ...slaS.responseBands.map((n, i) => paren(zh, String(n), s.bandLabels.response[i] ?? '')), pct1(slaS.responseCompliancePct)],
          [s.resoLabel, ...slaS.resolutionBands.map((n, i) => paren(zh, String(n), s.bandLabels.resolution[i] ?? '')), pct1(slaS.resolutionCompliancePct)],
        ],
      });
    }
    if (model.hasData) {
      const known = model.availabilityByDay.map((d) => d.pct).filter((v): v is number => v !== undefined);
      const lowest = known.length > 0 ? Math.min(...known) : 100;
      const min = Math.max(0, Math.min(99, Math.floor(lowest) - 1));
      blocks.push({
        type: 'chart', alt: s.chartAvailability,
        svg: barChart({
          title: s.chartAvailability, min, max: 100, warnBelow: THRESHOLDS.availabilityPct, missingText: s.noValue,
          valueText: (v) => (Number.isInteger(v) ? fmt.pct(v, 0) : fmt.pct(v, 2)),
          bars: model.availabilityByDay.map((d) => ({ label: d.day.slice(5), value: d.pct })),
        }),
      });
    }
    sections.push({ title: sectionTitle(lang, 0), blocks });
  }

  // 2. Devices
  {
    const blocks: Block[] = [];
    if (!model.hasData) blocks.push(noDataNote);
    if (model.devices.length > 0) {
      blocks.push({
        type: 'table', variant: 'devices',
        head: [s.col.device, s.col.site, s.col.state, s.col.availability, s.col.reboots, s.col.cpuAvg, s.col.cpuPeak, s.col.memPeak, s.col.storage, s.col.temp, s.col.hw, s.col.verdict],
        align: ['l', 'l', 'c', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'c', 'c'],
        rows: model.devices.map((d) => [
          d.device, d.site || DASH,
          { text: s.state[d.state], tone: d.state === 'down' ? 'bad' : d.state === 'up' ? 'good' : 'muted' },
          { text: pct3(d.availabilityPct), tone: d.availabilityPct !== undefined && d.availabilityPct < THRESHOLDS.availabilityPct ? 'warn' : undefined },
          d.hasData ? { text: String(d.reboots), tone: d.reboots > 0 ? 'warn' : undefined } : DASH,
          pct1(d.cpuAvgPct), { text: pct1(d.cpuPeakPct), tone: (d.cpuPeakPct ?? 0) >= THRESHOLDS.cpuPeakPct ? 'warn' : undefined },
          { text: pct1(d.memoryPeakPct), tone: (d.memoryPeakPct ?? 0) >= THRESHOLDS.memoryPeakPct ? 'warn' : undefined },
          d.storageFullest ? { text: `${d.storageFullest.mount} ${fmt.pct(d.storageFullest.pct)}`, tone: d.storageFullest.pct >= THRESHOLDS.storagePct ? 'warn' : undefined } : DASH,
          d.temperatureMaxC === undefined ? DASH : { text: `${fmt.num(d.temperatureMaxC, 1)} °C`, tone: d.temperatureMaxC >= THRESHOLDS.temperatureC ? 'warn' : undefined },
          { text: s.hw[d.hardware], tone: d.hardware === 'fault' ? 'bad' : undefined },
          { text: s.deviceVerdict[d.verdict], tone: d.verdict === 'normal' ? 'good' : d.verdict === 'attention' ? 'bad' : 'muted' },
        ]),
      });
      const attention = model.devices.filter((d) => d.findings.length > 0);
      // Without any data the notice above already says it; a row per device repeating it adds nothing.
      if (attention.length > 0 && model.hasData) {
        blocks.push({ type: 'h3', text: s.col.findings });
        blocks.push({ type: 'table', head: [s.col.device, s.col.findings], align: ['l', 'l'], rows: attention.map((d) => [d.device, d.findings.map((f) => findingText(fmt, f)).join(zh ? '；' : '; ')]) });
      }
    }
    sections.push({ title: sectionTitle(lang, 1), blocks });
  }

  // 3. Links
  {
    const blocks: Block[] = [{ type: 'h3', text: s.subLatency }];
    if (model.sites.length === 0) blocks.push({ type: 'p', text: s.noSites, tone: 'note' });
    else {
      blocks.push({
        type: 'table', head: [s.col.site, s.col.availability, s.col.rttAvg, s.col.rttMax, s.col.lossAvg, s.col.lossMax], align: ['l', 'r', 'r', 'r', 'r', 'r'],
        rows: model.sites.map((x) => [x.site || DASH, pct3(x.availabilityPct), ms(x.rttAvgMs), ms(x.rttMaxMs), pct1(x.lossAvgPct), pct1(x.lossMaxPct)]),
      });
      if (model.latencyTrend.length > 0) {
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
      }
    }
    blocks.push({ type: 'h3', text: s.subTopUtil });
    if (model.topUtilisation.length === 0) blocks.push({ type: 'p', text: s.noInterfaces, tone: 'note' });
    else {
      blocks.push({
        type: 'chart', alt: s.chartUtil,
        svg: hbarChart({ title: s.chartUtil, warnAt: THRESHOLDS.capacityPct, valueText: (v) => fmt.pct(v), items: model.topUtilisation.map((i) => ({ label: `${i.device} ${i.ifName}`, value: i.peakUtilPct ?? 0 })) }),
      });
      blocks.push({
        type: 'table', head: [s.col.device, s.col.interface, s.col.alias, s.col.peakUtil], align: ['l', 'l', 'l', 'r'],
        rows: model.topUtilisation.map((i) => [i.device, i.ifName, i.ifAlias || DASH, { text: pct1(i.peakUtilPct), tone: (i.peakUtilPct ?? 0) >= THRESHOLDS.capacityPct ? 'warn' : undefined }]),
      });
    }
    blocks.push({ type: 'h3', text: s.subTopErr });
    if (model.topErrors.length === 0) blocks.push({ type: 'p', text: model.topUtilisation.length === 0 ? s.noInterfaces : s.noErrors, tone: 'note' });
    else blocks.push({
      type: 'table', head: [s.col.device, s.col.interface, s.col.alias, s.col.inErrors, s.col.outErrors], align: ['l', 'l', 'l', 'r', 'r'],
      rows: model.topErrors.map((i) => [i.device, i.ifName, i.ifAlias || DASH, fmt.num(i.inErrors), fmt.num(i.outErrors)]),
    });
    sections.push({ title: sectionTitle(lang, 2), blocks });
  }

  // 4. Power
  {
    const blocks: Block[] = [];
    if (model.ups.length === 0) blocks.push({ type: 'p', text: s.noUps, tone: 'note' });
    else {
      blocks.push({
        type: 'table', head: [s.col.ups, s.col.minCharge, s.col.minRuntime, s.col.onBattery, s.col.replace], align: ['l', 'r', 'r', 'l', 'c'],
        rows: model.ups.map((u) => [
          u.ups ? `${u.device} (${u.ups})` : u.device,
          { text: pct1(u.minChargePct), tone: (u.minChargePct ?? 100) < THRESHOLDS.upsChargePct ? 'warn' : undefined },
          u.minRuntimeMin === undefined ? DASH : fmt.duration(u.minRuntimeMin * 60_000),
          { text: s.events(u.onBattery.length, fmt.duration(u.onBatteryTotalMs)), tone: u.onBattery.length > 0 ? 'warn' : undefined },
          { text: u.replaceBattery ? s.yes : s.no, tone: u.replaceBattery ? 'bad' : undefined },
        ]),
      });
      const events = model.ups.flatMap((u) => u.onBattery.map((e) => ({ u, e })));
      if (events.length > 0) blocks.push({
        type: 'table', head: [s.col.ups, s.col.time, s.col.duration], align: ['l', 'l', 'r'],
        rows: events.map(({ u, e }) => [u.device, `${fmt.dateTime(e.start)} – ${e.end ? fmt.dateTime(e.end) : s.ongoing}`, fmt.duration(e.durationMs)]),
      });
    }
    sections.push({ title: sectionTitle(lang, 3), blocks });
  }

  // 5. Incidents
  {
    const blocks: Block[] = [];
    if (!model.incidents) blocks.push({ type: 'p', text: s.notConnected, tone: 'note' });
    else if (model.incidents.length === 0) blocks.push({ type: 'p', text: s.noIncidents });
    else blocks.push({
      type: 'table', variant: 'incidents', head: [s.col.id, s.col.severity, s.col.title, s.col.opened, s.col.acknowledged, s.col.resolved, s.col.duration, s.col.grade],
      align: ['c', 'c', 'l', 'l', 'l', 'l', 'r', 'l'],
      rows: model.incidents.map((i) => [
        i.id,
        { text: i.severity, tone: i.severity === 'P1' ? 'bad' : i.severity === 'P2' ? 'warn' : undefined },
        `${i.titles?.[lang] ?? i.title}${i.device ? `\n${i.device}` : ''}${i.openedInPeriod ? '' : `\n(${s.openedBefore})`}`,
        fmt.dateTime(i.openedAt),
        i.acknowledgedAt ? `${fmt.dateTime(i.acknowledgedAt)}\n${fmt.duration(i.acknowledgedAt.getTime() - i.openedAt.getTime())}` : { text: s.notAcked, tone: 'warn' },
        i.resolvedAt && !i.ongoing ? `${fmt.dateTime(i.resolvedAt)}\n${fmt.duration(i.resolvedAt.getTime() - i.openedAt.getTime())}` : { text: s.notResolved, tone: 'warn' },
        `${fmt.duration(i.durationMs)}${i.ongoing ? `\n${s.ongoing}` : ''}`,
        {
          text: i.sla.notGraded ? s.notGraded : `${s.respLabel} ${s.gradeText(i.sla.responseBand, i.sla.responseMet)}\n${s.resoLabel} ${s.gradeText(i.sla.resolutionBand, i.sla.resolutionMet)}`,
          tone: i.sla.responseMet === false || i.sla.resolutionMet === false ? 'bad' : undefined,
        },
      ]),
    });
    sections.push({ title: sectionTitle(lang, 4), blocks });
  }

  // 6. Changes
  {
    const blocks: Block[] = [];
    const c = model.changes;
    if (!model.hasData) blocks.push(noDataNote);
    else {
      blocks.push({ type: 'h3', text: `${s.devicesAdded} / ${s.devicesRemoved}` });
      if (!c.previousHasData) blocks.push({ type: 'p', text: s.prevNoData, tone: 'note' });
      else if (c.added.length === 0 && c.removed.length === 0) blocks.push({ type: 'p', text: s.none });
      else blocks.push({
        type: 'table', head: [s.col.change, s.col.device, s.col.site, s.col.class], align: ['l', 'l', 'l', 'l'],
        rows: [...c.added.map((d) => [{ text: s.devicesAdded, tone: 'good' as const }, d.device, d.site, d.class]), ...c.removed.map((d) => [{ text: s.devicesRemoved, tone: 'warn' as const }, d.device, d.site, d.class])],
      });
      blocks.push({ type: 'h3', text: s.identityChanges });
      if (c.identity.length === 0) blocks.push({ type: 'p', text: s.none });
      else blocks.push({
        type: 'table', head: [s.col.time, s.col.device, s.col.kind, s.col.change], align: ['l', 'l', 'l', 'l'],
        rows: c.identity.map((x) => [fmt.dateTime(x.time), x.device, s.field[x.field], `${x.from ?? DASH} → ${x.to ?? DASH}`]),
      });
      blocks.push({ type: 'h3', text: s.rebootList });
      if (c.reboots.length === 0) blocks.push({ type: 'p', text: s.none });
      else blocks.push({ type: 'table', head: [s.col.time, s.col.device, s.col.detail], align: ['l', 'l', 'l'], rows: c.reboots.map((r) => [fmt.dateTime(r.time), r.device, r.message || DASH]) });
    }
    sections.push({ title: sectionTitle(lang, 5), blocks });
  }

  // 7. Capacity
  {
    const blocks: Block[] = [{ type: 'p', text: s.capacityIntro }];
    if (!model.hasData) blocks.push(noDataNote);
    else if (model.capacity.length === 0) blocks.push({ type: 'p', text: s.noCapacity });
    else blocks.push({
      type: 'table', head: [s.col.kind, s.col.device, s.col.resource, s.col.now, s.col.growth, s.col.reaches], align: ['l', 'l', 'l', 'r', 'r', 'l'],
      rows: model.capacity.map((x) => [s.kindName[x.kind], x.device, x.name, fmt.pct(x.nowPct), `${x.slopePerDay >= 0 ? '+' : ''}${fmt.num(x.slopePerDay, 2)}${zh ? '%' : ' %'}`,
        { text: x.alreadyOver ? s.alreadyOver : fmt.date(x.at), tone: 'bad' }]),
    });
    sections.push({ title: sectionTitle(lang, 6), blocks });
  }

  // 8. Recommendations
  sections.push({ title: sectionTitle(lang, 7), blocks: [{ type: 'list', ordered: true, items: model.recommendations.map((r) => recommendationText(fmt, r)) }] });

  const tz = period.timeZone;
  return {
    lang,
    title: reportTitle(lang, period),
    periodLine: paren(zh, periodText(fmt, period), tz),
    meta: [
      { label: s.period, value: `${periodText(fmt, period)}${period.kind === 'custom' ? '' : ` · ${period.label}`}` },
      { label: s.timeZone, value: tz },
      { label: s.generated, value: fmt.dateTime(model.generatedAt) },
    ],
    verdict: { text: verdictText(lang, model), tone: model.summary.verdict === 'normal' ? 'good' : model.summary.verdict === 'abnormal' ? 'bad' : 'muted' },
    sections,
    footnotes: [
      zh
        ? `可用率：设备 ICMP 探测结果为在线的样本数占本周期全部探测样本数的比例；中断时长 =（1 − 可用率）× 周期时长；整体可用率为各设备可用率的平均值。SLA 按响应（发生→确认）与解决（发生→恢复）时间计算。${s.legendDash}。`
        : `Availability: the share of the period's ICMP probe samples in which the device answered; downtime = (1 − availability) × period length; overall availability is the mean over devices. SLA response is opened → acknowledged, resolution opened → resolved. ${s.legendDash}.`,
    ],
  };
}
