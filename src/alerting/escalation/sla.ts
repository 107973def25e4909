import type { Db } from '../../core/database.js';
import { migrate } from '../../core/database.js';
import type { IncidentView, Severity } from '../../core/incident.js';
import { addServiceTime, ALWAYS, ALWAYS_NAME, serviceTimeBetween, type Calendar } from '../../service/calendar.js';
import { ESCALATION_MIGRATIONS } from './migrations.js';
import { pauseIntervals, PauseStore, type PauseReason, type SlaPause } from './pauses.js';

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
  /** The service calendar the clocks ran in ("7x24" unless notify.yaml says otherwise); times above are service time in it. */
  calendar: string;
  /** When the response / resolution target falls due in wall time; absent while a pause stops the clock before it. */
  respondBy?: Date;
  resolveBy?: Date;
  /** Service time taken out of the clocks by pauses (until resolution, or until now while open). */
  pausedMs: number;
  /** Clock pauses, oldest first. */
  pauses: SlaPause[];
}

/** Finds a calendar by the name a record carries; unknown names count as 7x24. */
export type CalendarLookup = (name: string) => Calendar;

/** An incident's SLA clock: its calendar with its pauses taken out. */
export interface SlaClock {
  calendar: Calendar;
  openedAt: number;
  pauses: SlaPause[];
  /** The wall-clock instant at which `offsetMs` of service time has run since the open; Infinity while a pause holds it. */
  at(offsetMs: number): number;
  /** Service time run from the open until `ms`. */
  elapsed(ms: number): number;
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
  resolution_ms: number | null; paged: number; calendar: string; respond_by: number | null; resolve_by: number | null; paused_ms: number;
}

/** SLA records in the state database: written as incidents move, read by reports and the API. */
export class SlaStore {
  private readonly pauseStore: PauseStore;
  private readonly calendars: CalendarLookup;
  private readonly warn?: (message: string) => void;

  /** Without `calendars` every record is read as 7x24 (reports only read what escalation stored). */
  constructor(private readonly db: Db, opts: { calendars?: CalendarLookup; warn?: (message: string) => void } = {}) {
    migrate(db, 'escalation', ESCALATION_MIGRATIONS);
    this.pauseStore = new PauseStore(db);
    this.calendars = opts.calendars ?? (() => ALWAYS);
    this.warn = opts.warn;
  }

  private row(incidentId: string): Row | undefined {
    return this.db.prepare('SELECT * FROM sla_records WHERE incident_id = ?').get(incidentId) as Row | undefined;
  }

  private clockOf(r: Row): SlaClock {
    const calendar = r.calendar === ALWAYS_NAME ? ALWAYS : this.calendars(r.calendar);
    const pauses = this.pauseStore.list(r.incident_id);
    const opts = { exclude: pauseIntervals(pauses), warn: this.warn };
    return {
      calendar, openedAt: r.opened_at, pauses,
      at: (offsetMs) => addServiceTime(r.opened_at, offsetMs, calendar, opts),
      elapsed: (ms) => serviceTimeBetween(r.opened_at, ms, calendar, opts),
    };
  }

  /** The clock of one incident's record (calendar and pauses), for escalation timing. */
  clock(incidentId: string): SlaClock | undefined {
    const r = this.row(incidentId);
    return r ? this.clockOf(r) : undefined;
  }

  /** Recomputes the wall-clock deadlines after the targets, the calendar or the pauses changed. */
  private refreshDeadlines(incidentId: string): void {
    const r = this.row(incidentId);
    if (!r) return;
    const c = this.clockOf(r);
    const finite = (t: number) => (Number.isFinite(t) ? t : null);
    this.db.prepare('UPDATE sla_records SET respond_by = ?, resolve_by = ? WHERE incident_id = ?')
      .run(finite(c.at(r.respond_target_ms)), finite(c.at(r.resolve_target_ms)), incidentId);
  }

  /** Creates the record at open (idempotent), or refreshes its title, severity, targets and calendar. */
  opened(inc: IncidentView, targets: { respond: number; resolve: number }, calendar: string = ALWAYS_NAME): void {
    this.db.prepare(`INSERT INTO sla_records (incident_id, title, severity, device, site, opened_at, respond_target_ms, resolve_target_ms, calendar)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (incident_id) DO UPDATE SET title = excluded.title, severity = excluded.severity,
        respond_target_ms = excluded.respond_target_ms, resolve_target_ms = excluded.resolve_target_ms, calendar = excluded.calendar`)
      .run(inc.id, inc.title, inc.severity, inc.device ?? null, inc.site ?? null, inc.openedAt.getTime(), targets.respond, targets.resolve, calendar);
    this.refreshDeadlines(inc.id);
  }

  /** Notes that someone was paged, so the record is graded. */
  paged(incidentId: string): void {
    this.db.prepare('UPDATE sla_records SET paged = 1 WHERE incident_id = ?').run(incidentId);
  }

  /** The first acknowledgement stops the response clock; a later re-acknowledgement does not move it. */
  acknowledged(incidentId: string, at: Date, by: string | undefined): void {
    const r = this.row(incidentId);
    if (!r || r.response_ms !== null) return;
    const ms = this.clockOf(r).elapsed(at.getTime());
    this.db.prepare(`UPDATE sla_records SET acknowledged_at = ?, acknowledged_by = ?, response_ms = ?, responded_by = 'acknowledged'
      WHERE incident_id = ? AND response_ms IS NULL`).run(at.getTime(), by ?? null, ms, incidentId);
  }

  /** Stops the resolution clock, and the response clock too if nobody acknowledged; a pause still lasting ends here. */
  resolved(incidentId: string, at: Date): void {
    const r = this.row(incidentId);
    if (!r || r.resolution_ms !== null) return;
    const t = at.getTime();
    const open = this.pauseStore.open(incidentId);
    if (open) this.pauseStore.end(open.id, 'resolved', Math.max(t, open.startedAt.getTime()));
    const c = this.clockOf(r);
    const ms = c.elapsed(t);
    const paused = serviceTimeBetween(r.opened_at, t, c.calendar) - ms;
    this.db.prepare(`UPDATE sla_records SET resolved_at = ?, resolution_ms = ?, paused_ms = ?,
      response_ms = COALESCE(response_ms, ?), responded_by = COALESCE(responded_by, 'resolved')
      WHERE incident_id = ? AND resolution_ms IS NULL`).run(t, ms, paused, ms, incidentId);
    this.refreshDeadlines(incidentId);
  }

  /** Stops the clocks from `at` on, for a reason; refused while another pause lasts or after resolution. */
  pause(incidentId: string, p: { reason: PauseReason; note?: string; by: string; at: Date }): { ok: true; pause: SlaPause } | { ok: false; status: 404 | 409; message: string } {
    const r = this.row(incidentId);
    if (!r) return { ok: false, status: 404, message: `incident "${incidentId}" has no SLA clock` };
    if (r.resolution_ms !== null) return { ok: false, status: 409, message: `incident "${incidentId}" is resolved; its clocks have stopped` };
    const open = this.pauseStore.open(incidentId);
    if (open) return { ok: false, status: 409, message: `incident "${incidentId}" is already paused (${open.id}, ${open.reason}, since ${open.startedAt.toISOString()})` };
    const pause = this.pauseStore.start(incidentId, p.reason, p.note, p.by, p.at.getTime());
    this.refreshDeadlines(incidentId);
    return { ok: true, pause };
  }

  /** Lets the clocks run again from `at`. */
  endPause(incidentId: string, pauseId: string, by: string, at: Date): { ok: true; pause: SlaPause } | { ok: false; status: 404 | 409; message: string } {
    const found = this.pauseStore.get(incidentId, pauseId);
    if (!found) return { ok: false, status: 404, message: `pause "${pauseId}" of incident "${incidentId}" not found` };
    if (found.endedAt) return { ok: false, status: 409, message: `pause "${pauseId}" already ended at ${found.endedAt.toISOString()}` };
    this.pauseStore.end(pauseId, by, Math.max(at.getTime(), found.startedAt.getTime()));
    this.refreshDeadlines(incidentId);
    return { ok: true, pause: this.pauseStore.get(incidentId, pauseId)! };
  }

  /** One incident's record, graded as of `nowMs`. */
  get(incidentId: string, nowMs: number): SlaRecord | undefined {
    const row = this.row(incidentId);
    return row ? this.grade(row, nowMs) : undefined;
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
    const records = rows.map((r) => this.grade(r, nowMs));
    return { records, summary: { count: records.length, response: summarize(records, 'response', RESPONSE_BANDS), resolution: summarize(records, 'resolution', RESOLUTION_BANDS) } };
  }

  private grade(r: Row, nowMs: number): SlaRecord {
    const pauses = this.pauseStore.list(r.incident_id);
    let pausedMs = r.paused_ms;
    if (r.resolution_ms === null && pauses.length > 0) {
      const c = this.clockOf(r);
      pausedMs = serviceTimeBetween(r.opened_at, nowMs, c.calendar) - c.elapsed(nowMs);
    }
    return { ...grade(r, nowMs), pausedMs, pauses };
  }
}

function grade(r: Row, nowMs: number): Omit<SlaRecord, 'pausedMs' | 'pauses'> {
  const responseMs = r.response_ms ?? undefined;
  const resolutionMs = r.resolution_ms ?? undefined;
  // A running clock already past its deadline is missed now, whatever happens later; a paused one cannot pass it.
  const met = (ms: number | undefined, target: number, by: number | null) => (ms !== undefined ? ms <= target : by !== null && nowMs > by ? false : undefined);
  const date = (t: number | null) => (t === null ? undefined : new Date(t));
  return {
    incidentId: r.incident_id, title: r.title, severity: r.severity, device: r.device ?? undefined, site: r.site ?? undefined,
    openedAt: new Date(r.opened_at),
    acknowledgedAt: date(r.acknowledged_at),
    acknowledgedBy: r.acknowledged_by ?? undefined,
    resolvedAt: date(r.resolved_at),
    respondTargetMs: r.respond_target_ms, resolveTargetMs: r.resolve_target_ms,
    responseMs, respondedBy: r.responded_by ?? undefined, resolutionMs,
    responseMet: met(responseMs, r.respond_target_ms, r.respond_by), resolutionMet: met(resolutionMs, r.resolve_target_ms, r.resolve_by),
    responseBand: band(responseMs, RESPONSE_BANDS), resolutionBand: band(resolutionMs, RESOLUTION_BANDS),
    paged: r.paged === 1,
    calendar: r.calendar, respondBy: date(r.respond_by), resolveBy: date(r.resolve_by),
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
