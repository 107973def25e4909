/**
 * Escalation's SLA record in the report's words. Targets and grading bands are escalation's (the ones
 * that page people): `DEFAULT_SLA` in src/alerting/escalation/config.ts and `RESPONSE_BANDS` /
 * `RESOLUTION_BANDS` with `band()` in src/alerting/escalation/sla.ts. Here they are only restated, bands
 * as numbers 1..4; model/sla.ts grades incidents that have no record with the same targets and bands.
 */
import { band, RESOLUTION_BANDS, RESPONSE_BANDS, type SlaBand, type SlaRecord } from '../../alerting/escalation/sla.js';
import type { SlaGrade } from './types.js';

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

/**
 * Escalation's SLA record of an incident as the report grades it; `serviceElapsedMs` is the service time its
 * clock had run at the report's moment (`SlaStore.clock(id).elapsed(at)`), for an incident still open.
 */
export function fromEscalationSla(r: SlaRecord, serviceElapsedMs?: number): SlaGrade {
  return {
    responseTargetMs: r.respondTargetMs, resolutionTargetMs: r.resolveTargetMs,
    responseMs: r.responseMs, resolutionMs: r.resolutionMs,
    responseMet: r.paged ? r.responseMet : undefined, resolutionMet: r.paged ? r.resolutionMet : undefined,
    responseBand: bandNumber(r.responseBand, 'response'), resolutionBand: bandNumber(r.resolutionBand, 'resolution'),
    ...(r.paged ? {} : { notGraded: 'muted' as const }),
    calendar: r.calendar, pausedMs: r.pausedMs,
    pauses: r.pauses.map((p) => ({ reason: p.reason, note: p.note, startedAt: p.startedAt, endedAt: p.endedAt })),
    respondBy: r.respondBy, resolveBy: r.resolveBy,
    ...(serviceElapsedMs !== undefined ? { serviceElapsedMs } : {}),
  };
}
