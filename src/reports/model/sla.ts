/**
 * The report's view of the SLA. Targets and grading bands are escalation's (the ones that page people):
 * `DEFAULT_SLA` in src/alerting/escalation/config.ts and `RESPONSE_BANDS` / `RESOLUTION_BANDS` with
 * `band()` in src/alerting/escalation/sla.ts. Here they are only restated: bands as numbers 1..4.
 */
import { DEFAULT_SLA } from '../../alerting/escalation/config.js';
import { band, RESOLUTION_BANDS, RESPONSE_BANDS, type SlaBand, type SlaRecord } from '../../alerting/escalation/sla.js';
import type { IncidentRecord, SlaGrade } from '../sources/types.js';

/** The two SLA measures: response (opened -> acknowledged) and resolution (opened -> resolved). */
export type SlaMeasure = 'response' | 'resolution';

/** Upper limits of grading bands 1-3 in minutes, per measure (escalation's); anything later is band 4. */
export const BAND_LIMITS_MIN: Record<SlaMeasure, readonly number[]> = { response: RESPONSE_BANDS, resolution: RESOLUTION_BANDS };

/** Escalation's band name as a number: `<=15m` -> 3 with limits [5, 10, 15]; `later` -> 4; `pending` -> undefined. */
export function bandNumber(name: SlaBand, measure: SlaMeasure): 1 | 2 | 3 | 4 | undefined {
  if (name === 'later') return 4;
  const i = BAND_LIMITS_MIN[measure].findIndex((b) => name === `<=${b}m`);
  return i >= 0 ? ((i + 1) as 1 | 2 | 3) : undefined;
}

/** The grading band (1 best .. 4) of a measured time, by escalation's `band()`. */
export function gradeBand(measure: SlaMeasure, ms: number): 1 | 2 | 3 | 4 {
  return bandNumber(band(ms, BAND_LIMITS_MIN[measure]), measure)!;
}

/** Escalation's SLA record of an incident as the report grades it. */
export function fromEscalationSla(r: SlaRecord): SlaGrade {
  return {
    responseTargetMs: r.respondTargetMs, resolutionTargetMs: r.resolveTargetMs,
    responseMs: r.responseMs, resolutionMs: r.resolutionMs,
    responseMet: r.paged ? r.responseMet : undefined, resolutionMet: r.paged ? r.resolutionMet : undefined,
    responseBand: bandNumber(r.responseBand, 'response'), resolutionBand: bandNumber(r.resolutionBand, 'resolution'),
    ...(r.paged ? {} : { notGraded: 'muted' as const }),
  };
}

/**
 * The SLA grade of an incident as of `asOf`: escalation's own record when it has one; otherwise measured
 * from the timestamps against escalation's default targets, the way escalation grades: response is
 * open -> acknowledged, and an incident resolved without an acknowledgement was answered by its resolution;
 * a target still running at `asOf` is neither met nor missed yet, one already passed is missed.
 */
export function slaOf(incident: IncidentRecord, asOf: Date): SlaGrade {
  if (incident.sla) return incident.sla;
  const targets = DEFAULT_SLA[incident.severity];
  const opened = incident.openedAt.getTime();
  const responded = incident.acknowledgedAt ?? incident.resolvedAt;
  const responseMs = responded ? responded.getTime() - opened : undefined;
  const resolutionMs = incident.resolvedAt ? incident.resolvedAt.getTime() - opened : undefined;
  const elapsed = asOf.getTime() - opened;
  const met = (measured: number | undefined, target: number) =>
    measured !== undefined ? measured <= target : elapsed > target ? false : undefined;
  return {
    responseTargetMs: targets.respond,
    resolutionTargetMs: targets.resolve,
    responseMs, resolutionMs,
    responseMet: met(responseMs, targets.respond),
    resolutionMet: met(resolutionMs, targets.resolve),
    responseBand: responseMs !== undefined ? gradeBand('response', responseMs) : undefined,
    resolutionBand: resolutionMs !== undefined ? gradeBand('resolution', resolutionMs) : undefined,
  };
}
