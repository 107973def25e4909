import type { Db } from '../../core/database.js';

/** Who acted on an incident and how far its paging went, from the alert store's events and escalation's outbox. */
export interface IncidentPeople {
  resolvedBy?: string;
  /** People paged by the first escalation step. */
  onWatch?: string[];
  /** Tier label of the furthest step paged after the first one. */
  escalatedTo?: string;
}

interface NoticeJson { step?: number; tier?: string; recipients?: { name?: unknown }[] }

/**
 * Reads per-incident people facts for reports (engineer figures): the manual resolver from the incident's
 * events, and from the outbox the engineers paged first and the furthest tier reached. Works on a state
 * database where escalation never ran (no outbox table): then only the resolver is known.
 */
export class EscalationFacts {
  private readonly resolvedByStmt;
  private readonly noticesStmt;

  constructor(db: Db) {
    const has = (t: string) => db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(t) !== undefined;
    this.resolvedByStmt = has('alert_incident_events')
      ? db.prepare("SELECT by FROM alert_incident_events WHERE incident_id = ? AND kind = 'resolved' ORDER BY seq DESC LIMIT 1") : undefined;
    this.noticesStmt = has('outbox_notices')
      ? db.prepare("SELECT notice FROM outbox_notices WHERE incident_id = ? AND kind IN ('opened', 'escalated') ORDER BY seq LIMIT 200") : undefined;
  }

  of(incidentId: string): IncidentPeople {
    const out: IncidentPeople = {};
    const r = this.resolvedByStmt?.get(incidentId) as { by: string | null } | undefined;
    if (r?.by) out.resolvedBy = r.by;
    const watch = new Set<string>();
    let furthest = 0;
    for (const row of (this.noticesStmt?.all(incidentId) ?? []) as { notice: string }[]) {
      let n: NoticeJson;
      try { n = JSON.parse(row.notice) as NoticeJson; } catch { continue; }
      const step = typeof n.step === 'number' ? n.step : 0;
      if (step === 0) for (const p of n.recipients ?? []) { if (typeof p.name === 'string') watch.add(p.name); }
      else if (step > furthest && typeof n.tier === 'string') { furthest = step; out.escalatedTo = n.tier; }
    }
    if (watch.size > 0) out.onWatch = [...watch].sort();
    return out;
  }
}
