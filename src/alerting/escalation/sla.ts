import type { Db } from '../../core/database.js';
import { migrate } from '../../core/database.js';
import type { IncidentView, Severity } from '../../core/incident.js';
import { ESCALATION_MIGRATIONS } from './migrations.js';

/** Service-desk grading bands for response (open -> acknowledged), upper bounds in minutes. */
export const RESPONSE_BANDS = [5, 10, 15] as const;
/** Service-desk grading bands for resolution (open -> resolved), upper bounds in minutes. */
export const RESOLUTION_BANDS = [30, 60, 120] as const;

/** A band name: "<=5m", "<=10m", ... or "later"; "pending" while the clock still runs. */
export type SlaBand = string;

/** The SLA record of one incident. Times in epoch ms. */
export interface SlaRecord {
  incidentId: string;
  title: string;
  severity: Severity;
  device?: string;
  site?: string;
  openedAt: Date;
  acknowledgedAt?: Date;
  acknowledgedBy?: string;
  resolvedAt?: Date;
  respondTargetMs: number;
  resolveTargetMs: number;
  /** open -> acknowledged; when resolved without acknowledgement, open -> resolved (`respondedBy: 'resolved'`). */
  responseMs?: number;
  respondedBy?: 'acknowledged' | 'resolved';
  resolutionMs?: number;
  /** true met, false missed, undefined still running and not yet late. */
  responseMet?: boolean;
  resolutionMet?: boolean;
  responseBand: SlaBand;
  resolutionBand: SlaBand;
  /** False while the incident was muted the whole time (maintenance, parent down): nobody was paged, so it is not graded. */
  paged: boolean;
}

/** Filters for SLA queries: time range on the open time, severity, device, site. */
export interface SlaQuery { from?: Date; to?: Date; severity?: Severity; device?: string; site?: string; includeUnpaged?: boolean }

/** Counts per band and met/missed for one SLA measure. */
export interface SlaMeasureSummary { met: number; missed: number; running: number; meanMs?: number; bands: Record<string, number> }

/** Records plus their summary, as reports and the API show them. */
export interface SlaReport { records: SlaRecord[]; summary: { count: number; response: SlaMeasureSummary; resolution: SlaMeasureSummary } }

/** Grades a duration against bands of minutes: "<=5m" ... or "later". */
export function band(ms: number | undefined, bounds: readonly number[]): SlaBand {
  if (ms === undefined) return 'pending';
  for (const b of bounds) if (ms <= b * 60_000) return `<=${b}m`;
  return 'later';
}

interface Row {
  incident_id: string; title: string; severity: Severity; device: string | null; site: string | null;
  opened_at: number; acknowledged_at: number | null; acknowledged_by: string | null; resolved_at: number | null;
  respond_target_ms: number; resolve_target_ms: number; response_ms: number | null; responded_by: 'acknowledged' | 'resolved' | null;
  resolution_ms: number | null; paged: number;
}

/** SLA records in the state database: written as incidents move, read by reports and the API. */
export class SlaStore {
  constructor(private readonly db: Db) {
    migrate(db, 'escalation', ESCALATION_MIGRATIONS);
  }

  /** Creates the record at open (idempotent), or refreshes its title, severity and targets. */
  opened(inc: IncidentView, targets: { respond: number; resolve: number }): void {
    this.db.prepare(`INSERT INTO sla_records (incident_id, title, severity, device, site, opened_at, respond_target_ms, resolve_target_ms)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (incident_id) DO UPDATE SET title = excluded.title, severity = excluded.severity,
        respond_target_ms = excluded.respond_target_ms, resolve_target_ms = excluded.resolve_target_ms`)
      .run(inc.id, inc.title, inc.severity, inc.device ?? null, inc.site ?? null, inc.openedAt.getTime(), targets.respond, targets.resolve);
  }

  /** Notes that someone was paged, so the record is graded. */
  paged(incidentId: string): void {
    this.db.prepare('UPDATE sla_records SET paged = 1 WHERE incident_id = ?').run(incidentId);
  }

  /** The first acknowledgement stops the response clock; a later re-acknowledgement does not move it. */
  acknowledged(incidentId: string, at: Date, by: string | undefined): void {
    this.db.prepare(`UPDATE sla_records SET acknowledged_at = ?, acknowledged_by = ?, response_ms = ? - opened_at, responded_by = 'acknowledged'
      WHERE incident_id = ? AND response_ms IS NULL`).run(at.getTime(), by ?? null, at.getTime(), incidentId);
  }

  /** Stops the resolution clock, and the response clock too if nobody acknowledged. */
  resolved(incidentId: string, at: Date): void {
    const t = at.getTime();
    this.db.prepare(`UPDATE sla_records SET resolved_at = ?, resolution_ms = ? - opened_at,
      response_ms = COALESCE(response_ms, ? - opened_at), responded_by = COALESCE(responded_by, 'resolved')
      WHERE incident_id = ? AND resolution_ms IS NULL`).run(t, t, t, incidentId);
  }

  /** One incident's record, graded as of `nowMs`. */
  get(incidentId: string, nowMs: number): SlaRecord | undefined {
    const row = this.db.prepare('SELECT * FROM sla_records WHERE incident_id = ?').get(incidentId) as Row | undefined;
    return row ? grade(row, nowMs) : undefined;
  }

  /** Records matching the query, oldest first, with met/missed and band counts. Unpaged (muted) incidents are left out unless asked for. */
  query(q: SlaQuery, nowMs: number): SlaReport {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (q.from) { where.push('opened_at >= ?'); args.push(q.from.getTime()); }
    if (q.to) { where.push('opened_at < ?'); args.push(q.to.getTime()); }
    if (q.severity) { where.push('severity = ?'); args.push(q.severity); }
    if (q.device) { where.push('device = ?'); args.push(q.device); }
    if (q.site) { where.push('site = ?'); args.push(q.site); }
    if (!q.includeUnpaged) where.push('paged = 1');
    const rows = this.db.prepare(`SELECT * FROM sla_records ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY opened_at, incident_id`).all(...args) as Row[];
    const records = rows.map((r) => grade(r, nowMs));
    return { records, summary: { count: records.length, response: summarize(records, 'response', RESPONSE_BANDS), resolution: summarize(records, 'resolution', RESOLUTION_BANDS) } };
  }
}

function grade(r: Row, nowMs: number): SlaRecord {
  const responseMs = r.response_ms ?? undefined;
  const resolutionMs = r.resolution_ms ?? undefined;
  // A running clock already past its target is missed now, whatever happens later.
  const met = (ms: number | undefined, target: number) => (ms !== undefined ? ms <= target : nowMs - r.opened_at > target ? false : undefined);
  return {
    incidentId: r.incident_id, title: r.title, severity: r.severity, device: r.device ?? undefined, site: r.site ?? undefined,
    openedAt: new Date(r.opened_at),
    acknowledgedAt: r.acknowledged_at === null ? undefined : new Date(r.acknowledged_at),
    acknowledgedBy: r.acknowledged_by ?? undefined,
    resolvedAt: r.resolved_at === null ? undefined : new Date(r.resolved_at),
    respondTargetMs: r.respond_target_ms, resolveTargetMs: r.resolve_target_ms,
    responseMs, respondedBy: r.responded_by ?? undefined, resolutionMs,
    responseMet: met(responseMs, r.respond_target_ms), resolutionMet: met(resolutionMs, r.resolve_target_ms),
    responseBand: band(responseMs, RESPONSE_BANDS), resolutionBand: band(resolutionMs, RESOLUTION_BANDS),
    paged: r.paged === 1,
  };
}

function summarize(records: SlaRecord[], measure: 'response' | 'resolution', bounds: readonly number[]): SlaMeasureSummary {
  const bands: Record<string, number> = Object.fromEntries([...bounds.map((b) => `<=${b}m`), 'later', 'pending'].map((k) => [k, 0]));
  let met = 0, missed = 0, running = 0, total = 0, n = 0;
  for (const r of records) {
    const ok = measure === 'response' ? r.responseMet : r.resolutionMet;
    const ms = measure === 'response' ? r.responseMs : r.resolutionMs;
    if (ok === true) met++; else if (ok === false) missed++; else running++;
    bands[measure === 'response' ? r.responseBand : r.resolutionBand]!++;
    if (ms !== undefined) { total += ms; n++; }
  }
  return { met, missed, running, meanMs: n > 0 ? Math.round(total / n) : undefined, bands };
}
