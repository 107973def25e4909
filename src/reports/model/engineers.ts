import { quantile } from '../../core/quantile.js';
import type { IncidentRow } from './types.js';

/**
 * One engineer's month (工程师评估): what they acknowledged and how fast (service time, pauses taken out),
 * what they resolved, how their incidents did against the SLA, and how often paging went past them.
 */
export interface EngineerRow {
  person: string;
  acknowledged: number;
  /** Median and p90 of their response times (opened → their acknowledgement), in service time. */
  responseMedianMs?: number;
  responseP90Ms?: number;
  /** Incidents they resolved by hand. */
  resolved: number;
  /** Incidents they acknowledged that were graded on both clocks, and of those the ones that met both. */
  slaGraded: number;
  slaMet: number;
  /** Incidents that paged them first (they were on watch). */
  onWatch: number;
  /** Of those, how many went on to a later tier, by the tier's name. */
  escalated: number;
  escalatedTo: Record<string, number>;
}

function row(person: string): EngineerRow {
  return { person, acknowledged: 0, resolved: 0, slaGraded: 0, slaMet: 0, onWatch: 0, escalated: 0, escalatedTo: {} };
}

/** Figures per person from the incidents opened in the period; people sorted by name. */
export function engineerRows(incidents: readonly IncidentRow[]): EngineerRow[] {
  const rows = new Map<string, EngineerRow>();
  const responses = new Map<string, number[]>();
  const of = (p: string) => {
    let r = rows.get(p);
    if (!r) { r = row(p); rows.set(p, r); }
    return r;
  };
  for (const i of incidents) {
    if (!i.openedInPeriod) continue;
    if (i.acknowledgedBy) {
      const r = of(i.acknowledgedBy);
      r.acknowledged++;
      const ms = i.sla.responseMs ?? (i.acknowledgedAt ? i.acknowledgedAt.getTime() - i.openedAt.getTime() : undefined);
      if (ms !== undefined) responses.set(r.person, [...(responses.get(r.person) ?? []), ms]);
      if (!i.sla.notGraded && i.sla.responseMet !== undefined && i.sla.resolutionMet !== undefined) {
        r.slaGraded++;
        if (i.sla.responseMet && i.sla.resolutionMet) r.slaMet++;
      }
    }
    if (i.resolvedBy) of(i.resolvedBy).resolved++;
    for (const p of i.onWatch ?? []) {
      const r = of(p);
      r.onWatch++;
      if (i.escalatedTo) {
        r.escalated++;
        r.escalatedTo[i.escalatedTo] = (r.escalatedTo[i.escalatedTo] ?? 0) + 1;
      }
    }
  }
  for (const [person, list] of responses) {
    const sorted = [...list].sort((a, b) => a - b);
    const r = rows.get(person)!;
    // Whole milliseconds: interpolation leaves float dust that no one reads.
    r.responseMedianMs = Math.round(quantile(sorted, 0.5));
    r.responseP90Ms = Math.round(quantile(sorted, 0.9));
  }
  return [...rows.values()].sort((a, b) => a.person.localeCompare(b.person));
}
