import type { ReportPeriod } from '../period.js';
import { formatDay, localDayOf } from '../time-zone.js';
import { pctOf, type Readings } from './readings.js';
import type { InterfaceRow, ReportModel } from './types.js';

/** Every local day of the period, so a day without samples shows as a gap, not as 0 %. */
export function availabilityByDay(readings: Readings, period: ReportPeriod): ReportModel['availabilityByDay'] {
  const dayPct = new Map(readings.availabilityByDay.map((b) => [formatDay(localDayOf(b.time, period.timeZone)), pctOf(b.upSamples, b.samples)]));
  const out: ReportModel['availabilityByDay'] = [];
  for (let t = period.start.getTime(), i = 0; t < period.end.getTime() && i < 400; i++) {
    const day = formatDay(localDayOf(new Date(t), period.timeZone));
    out.push({ day, pct: dayPct.get(day) });
    t += 86_400_000;
    // DST days are 23 or 25 hours: re-align on the local day so no day is skipped or doubled.
    while (t < period.end.getTime() && formatDay(localDayOf(new Date(t), period.timeZone)) === day) t += 3_600_000;
  }
  return out;
}

/** Latency and loss per site, with each site's availability pooled over its devices' samples. */
export function siteRows(readings: Readings): ReportModel['sites'] {
  const pooled = new Map<string, { up: number; all: number }>();
  for (const r of readings.reachability) {
    const s = pooled.get(r.site) ?? { up: 0, all: 0 };
    s.up += r.upSamples; s.all += r.samples;
    pooled.set(r.site, s);
  }
  return readings.siteLatency.map((s) => ({ ...s, availabilityPct: pctOf(pooled.get(s.site)?.up ?? 0, pooled.get(s.site)?.all ?? 0) }))
    .sort((a, b) => a.site.localeCompare(b.site));
}

/** The average-latency trend of each site, sites in name order. */
export function latencyTrend(readings: Readings): ReportModel['latencyTrend'] {
  const bySite = new Map<string, { time: Date; rttAvgMs: number }[]>();
  for (const p of readings.siteLatencyTrend) {
    if (p.rttAvgMs === undefined || !p.time) continue;
    const list = bySite.get(p.site) ?? [];
    list.push({ time: p.time, rttAvgMs: p.rttAvgMs });
    bySite.set(p.site, list);
  }
  return [...bySite.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([site, points]) => ({ site, points }));
}

/** The ten interfaces with the highest peak utilisation, and the ten with the most errors. */
export function topInterfaces(readings: Readings): { topUtilisation: InterfaceRow[]; topErrors: InterfaceRow[] } {
  const rows: InterfaceRow[] = readings.interfaces.map(({ trend: _t, ...i }) => i);
  return {
    topUtilisation: rows.filter((i) => i.peakUtilPct !== undefined).sort((a, b) => b.peakUtilPct! - a.peakUtilPct!).slice(0, 10),
    topErrors: rows.filter((i) => i.inErrors + i.outErrors > 0).sort((a, b) => (b.inErrors + b.outErrors) - (a.inErrors + a.outErrors)).slice(0, 10),
  };
}
