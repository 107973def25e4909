import { SEVERITIES, type Severity } from '../../core/incident.js';
import type { ReportPeriod } from '../period.js';
import type { IncidentRecord } from '../sources/types.js';
import { pctOf } from './readings.js';
import { slaOf } from './sla.js';
import type { IncidentRow, SlaSummary } from './types.js';

/** The incidents active in the period, each graded as of `asOf` (the end of the period, or now while it runs). */
export function incidentRows(list: readonly IncidentRecord[], period: ReportPeriod, asOf: Date): IncidentRow[] {
  return list.map((i) => {
    const ongoing = !i.resolvedAt || i.resolvedAt > asOf;
    return {
      ...i, sla: slaOf(i, asOf), ongoing,
      openedInPeriod: i.openedAt >= period.start && i.openedAt < period.end,
      durationMs: (ongoing ? asOf.getTime() : i.resolvedAt!.getTime()) - i.openedAt.getTime(),
    };
  });
}

/** How many incidents of each severity. */
export function countBySeverity(incidents: readonly IncidentRow[]): Record<Severity, number> {
  return Object.fromEntries(SEVERITIES.map((s) => [s, incidents.filter((i) => i.severity === s).length])) as Record<Severity, number>;
}

/** SLA compliance and band counts over the graded incidents opened in the period. */
export function slaSummary(incidents: readonly IncidentRow[]): SlaSummary {
  const judged = incidents.filter((i) => i.openedInPeriod && !i.sla.notGraded);
  const s: SlaSummary = { incidents: judged.length, responseMet: 0, responseMissed: 0, resolutionMet: 0, resolutionMissed: 0, responseBands: [0, 0, 0, 0], resolutionBands: [0, 0, 0, 0] };
  for (const i of judged) {
    if (i.sla.responseMet === true) s.responseMet++;
    if (i.sla.responseMet === false) s.responseMissed++;
    if (i.sla.resolutionMet === true) s.resolutionMet++;
    if (i.sla.resolutionMet === false) s.resolutionMissed++;
    if (i.sla.responseBand) s.responseBands[i.sla.responseBand - 1] = (s.responseBands[i.sla.responseBand - 1] ?? 0) + 1;
    if (i.sla.resolutionBand) s.resolutionBands[i.sla.resolutionBand - 1] = (s.resolutionBands[i.sla.resolutionBand - 1] ?? 0) + 1;
  }
  s.responseCompliancePct = pctOf(s.responseMet, s.responseMet + s.responseMissed);
  s.resolutionCompliancePct = pctOf(s.resolutionMet, s.resolutionMet + s.resolutionMissed);
  return s;
}
