/**
 * The yearly report's month-by-month table (年报): per calendar month, fleet availability, incidents opened, SLA
 * compliance and the capacity peaks. Each month is read as its own range, so each is served by the retention policy
 * that still holds it (sources/influx-retention.ts): raw for the recent month, the downsampled policy for the rest.
 */
import { monthPeriod, type ReportPeriod } from '../period.js';
import { slaSummary } from './incidents.js';
import { pctOf } from './readings.js';
import type { IncidentRow, ModelInputs } from './types.js';

/** One month of the year. */
export interface MonthRow {
  /** `2026-03`. */
  month: string;
  hasData: boolean;
  /** Mean over devices with ICMP samples of each device's availability in the month. */
  availabilityPct?: number;
  devices: number;
  /** Undefined when no incident store is connected. */
  incidents?: number;
  responseCompliancePct?: number;
  resolutionCompliancePct?: number;
  /** Highest CPU load, memory use and interface utilisation of any device in the month. */
  cpuPeakPct?: number;
  memoryPeakPct?: number;
  interfacePeakPct?: number;
}

const maxOf = (vs: (number | undefined)[]): number | undefined => {
  const ok = vs.filter((v): v is number => v !== undefined);
  return ok.length > 0 ? Math.max(...ok) : undefined;
};

/** The months of a yearly period, each read from the metrics source; undefined for any other kind of report. */
export async function monthRows(input: ModelInputs, period: ReportPeriod, incidents: IncidentRow[] | undefined): Promise<MonthRow[] | undefined> {
  if (period.kind !== 'yearly') return undefined;
  const out: MonthRow[] = [];
  for (let m = 1; m <= 12; m++) {
    const month = monthPeriod(`${period.firstDay.year}-${String(m).padStart(2, '0')}`, period.timeZone);
    const range = { start: month.start, end: month.end };
    const [reach, load, ifs] = await Promise.all([
      input.metrics.reachability(range), input.metrics.load(range), input.metrics.interfaces(range, range.end.getTime() - range.start.getTime()),
    ]);
    const pcts = reach.map((r) => pctOf(r.upSamples, r.samples)).filter((v): v is number => v !== undefined);
    const row: MonthRow = {
      month: month.label, hasData: reach.length > 0 || load.length > 0, devices: pcts.length,
      availabilityPct: pcts.length > 0 ? pcts.reduce((a, b) => a + b, 0) / pcts.length : undefined,
      cpuPeakPct: maxOf(load.map((l) => l.cpuPeakPct)), memoryPeakPct: maxOf(load.map((l) => l.memoryPeakPct)),
      interfacePeakPct: maxOf(ifs.map((i) => i.peakUtilPct)),
    };
    if (incidents) {
      const inMonth = incidents.filter((i) => i.openedAt >= month.start && i.openedAt < month.end);
      const sla = slaSummary(inMonth);
      Object.assign(row, { incidents: inMonth.length, responseCompliancePct: sla.responseCompliancePct, resolutionCompliancePct: sla.resolutionCompliancePct });
    }
    out.push(row);
  }
  return out;
}
