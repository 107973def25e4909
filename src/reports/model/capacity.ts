import type { TrendPoint } from '../sources/types.js';
import type { Readings } from './readings.js';
import { THRESHOLDS } from './thresholds.js';
import type { CapacityRow } from './types.js';

/** A least-squares line through a trend: value = intercept + slope * (t - t0), slope per millisecond. */
export interface TrendLine { slopePerMs: number; valueAt(t: Date): number; points: number }

/** Fits a line by least squares; undefined when there are fewer than `minPoints` points or no time spread. */
export function fitTrend(points: readonly TrendPoint[], minPoints = 6): TrendLine | undefined {
  if (points.length < minPoints) return undefined;
  const t0 = points[0]!.time.getTime();
  let sx = 0; let sy = 0; let sxx = 0; let sxy = 0;
  for (const p of points) {
    const x = p.time.getTime() - t0;
    sx += x; sy += p.value; sxx += x * x; sxy += x * p.value;
  }
  const n = points.length;
  const den = n * sxx - sx * sx;
  if (den === 0) return undefined;
  const slope = (n * sxy - sx * sy) / den;
  const intercept = (sy - slope * sx) / n;
  return { slopePerMs: slope, points: n, valueAt: (t) => intercept + slope * (t.getTime() - t0) };
}

/**
 * When the fitted line crosses `limitPct`, if that is within `horizonMs` after `from`.
 * A resource already at or above the limit at `from` is reported as reaching it at `from`.
 */
export function projectCrossing(points: readonly TrendPoint[], from: Date, limitPct = 90, horizonMs = 30 * 86_400_000): { at: Date; slopePerDay: number; nowPct: number } | undefined {
  const line = fitTrend(points);
  if (!line) return undefined;
  const nowPct = line.valueAt(from);
  const slopePerDay = line.slopePerMs * 86_400_000;
  if (nowPct >= limitPct) return { at: from, slopePerDay, nowPct };
  if (line.slopePerMs <= 0) return undefined;
  const msToLimit = (limitPct - nowPct) / line.slopePerMs;
  if (msToLimit > horizonMs) return undefined;
  return { at: new Date(from.getTime() + msToLimit), slopePerDay, nowPct };
}

/** Storage volumes and interfaces whose trend reaches THRESHOLDS.capacityPct within the horizon after the period, soonest first. */
export function capacityRows(readings: Readings, periodEnd: Date): CapacityRow[] {
  const horizon = THRESHOLDS.capacityHorizonDays * 86_400_000;
  const out: CapacityRow[] = [];
  const add = (kind: CapacityRow['kind'], device: string, name: string, trend: readonly TrendPoint[]) => {
    const p = projectCrossing(trend, periodEnd, THRESHOLDS.capacityPct, horizon);
    if (p) out.push({ kind, device, name, nowPct: p.nowPct, slopePerDay: p.slopePerDay, at: p.at, alreadyOver: p.at.getTime() === periodEnd.getTime() });
  };
  for (const s of readings.storage) add('storage', s.device, s.mount, s.trend);
  for (const i of readings.interfaces) add('interface', i.device, i.ifName, i.trend);
  return out.sort((a, b) => a.at.getTime() - b.at.getTime());
}
