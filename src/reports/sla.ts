import type { Severity } from '../core/incident.js';
import type { IncidentRecord, SlaRecord } from './sources.js';

const MIN = 60_000;

/**
 * Default respond / resolve targets of the service contracts (issue 8): used only when the incident
 * store hands over an incident without escalation's SLA record.
 */
export const DEFAULT_SLA_TARGETS: Record<Severity, { responseMs: number; resolutionMs: number }> = {
  P1: { responseMs: 30 * MIN, resolutionMs: 120 * MIN },
  P2: { responseMs: 60 * MIN, resolutionMs: 240 * MIN },
  P3: { responseMs: 120 * MIN, resolutionMs: 480 * MIN },
  P4: { responseMs: 240 * MIN, resolutionMs: 1440 * MIN },
};

/** Upper limits of grading bands 1-3 of the service desk; anything later is band 4. */
export const GRADING_BANDS = {
  response: [5 * MIN, 10 * MIN, 15 * MIN],
  resolution: [30 * MIN, 60 * MIN, 120 * MIN],
} as const;

/** The grading band (1 best .. 4) of a measured time. */
export function gradeBand(kind: 'response' | 'resolution', ms: number): 1 | 2 | 3 | 4 {
  const limits = GRADING_BANDS[kind];
  for (let i = 0; i < limits.length; i++) if (ms <= limits[i]!) return (i + 1) as 1 | 2 | 3;
  return 4;
}

/**
 * The SLA record of an incident as of `asOf`: escalation's own record when it has one; otherwise measured
 * from the timestamps. Response is open -> acknowledged; an incident resolved without an acknowledgement
 * was answered by its resolution, so that time counts as its response. A target still running at `asOf`
 * is neither met nor missed yet.
 */
export function slaOf(incident: IncidentRecord, asOf: Date): SlaRecord {
  if (incident.sla) return incident.sla;
  const targets = DEFAULT_SLA_TARGETS[incident.severity];
  const opened = incident.openedAt.getTime();
  const responded = incident.acknowledgedAt ?? incident.resolvedAt;
  const responseMs = responded ? responded.getTime() - opened : undefined;
  const resolutionMs = incident.resolvedAt ? incident.resolvedAt.getTime() - opened : undefined;
  const elapsed = asOf.getTime() - opened;
  const met = (measured: number | undefined, target: number) =>
    measured !== undefined ? measured <= target : elapsed > target ? false : undefined;
  return {
    responseTargetMs: targets.responseMs,
    resolutionTargetMs: targets.resolutionMs,
    responseMs, resolutionMs,
    responseMet: met(responseMs, targets.responseMs),
    resolutionMet: met(resolutionMs, targets.resolutionMs),
    responseBand: responseMs !== undefined ? gradeBand('response', responseMs) : undefined,
    resolutionBand: resolutionMs !== undefined ? gradeBand('resolution', resolutionMs) : undefined,
  };
}
