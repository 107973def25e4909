/**
 * The report's grading of incidents that escalation kept no SLA record for (escalation was not running):
 * from their timestamps, against escalation's default targets (`DEFAULT_SLA`, src/alerting/escalation/config.ts)
 * and bands (sources/sla-grade.ts), exactly the way escalation grades its own records.
 */
import { DEFAULT_SLA } from '../../alerting/escalation/config.js';
import { gradeBand } from '../sources/sla-grade.js';
import type { IncidentRecord, SlaGrade } from '../sources/types.js';

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
    // Without a record the clocks are escalation's default, 7x24: service time is wall time.
    respondBy: new Date(opened + targets.respond), resolveBy: new Date(opened + targets.resolve),
    ...(incident.resolvedAt ? {} : { serviceElapsedMs: Math.max(0, elapsed) }),
  };
}
