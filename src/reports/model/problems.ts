import type { ReportPeriod } from '../period.js';
import type { ProblemRecordSummary } from '../sources/types.js';
import type { ProblemRow } from './types.js';

/** Problem records of the period, the ones that struck most often in it first, then the open ones, then by id. */
export function problemRows(records: readonly ProblemRecordSummary[], period: Pick<ReportPeriod, 'start' | 'end'>): ProblemRow[] {
  return records
    .map((p) => ({ ...p, incidentsInPeriod: p.incidentTimes.filter((t) => t >= period.start && t < period.end).length }))
    .sort((a, b) => b.incidentsInPeriod - a.incidentsInPeriod || (a.state === b.state ? 0 : a.state === 'open' ? -1 : 1) || a.id.localeCompare(b.id));
}
