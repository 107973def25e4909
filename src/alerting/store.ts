import { migrate, type Db } from '../core/database.js';
import type { AlertState, IncidentEvent, IncidentEventKind, IncidentState, IncidentView, Severity } from '../core/incident.js';

/**
 * The alert engine's tables in the shared state database: trackers (every alert's timers and condition
 * memory), the alert log, incidents, their events (sequence-numbered, with a delivered mark so a restart
 * delivers what was not yet delivered and nothing twice) and API-made maintenance windows.
 */
const MIGRATIONS = [
  `CREATE TABLE alert_trackers (fingerprint TEXT PRIMARY KEY, rule TEXT NOT NULL, device TEXT NOT NULL, instance TEXT NOT NULL, data TEXT NOT NULL, updated_at INTEGER NOT NULL);
   CREATE TABLE alert_log (id INTEGER PRIMARY KEY AUTOINCREMENT, fingerprint TEXT NOT NULL, rule TEXT NOT NULL, device TEXT NOT NULL, site TEXT NOT NULL,
     instance TEXT NOT NULL, severity TEXT NOT NULL, state TEXT NOT NULL, starts_at INTEGER NOT NULL, ends_at INTEGER, incident_id TEXT, data TEXT NOT NULL);
   CREATE INDEX alert_log_starts ON alert_log (starts_at);
   CREATE TABLE alert_incidents (id TEXT PRIMARY KEY, n INTEGER NOT NULL UNIQUE, key TEXT NOT NULL, state TEXT NOT NULL, severity TEXT NOT NULL,
     site TEXT, device TEXT, opened_at INTEGER NOT NULL, resolved_at INTEGER, updated_at INTEGER NOT NULL, data TEXT NOT NULL);
   CREATE INDEX alert_incidents_opened ON alert_incidents (opened_at);
   CREATE TABLE alert_incident_events (seq INTEGER PRIMARY KEY AUTOINCREMENT, incident_id TEXT NOT NULL, kind TEXT NOT NULL, at INTEGER NOT NULL,
     by TEXT, note TEXT, data TEXT NOT NULL, delivered INTEGER NOT NULL DEFAULT 0);
   CREATE INDEX alert_incident_events_incident ON alert_incident_events (incident_id, seq);
   CREATE TABLE alert_maintenance (id TEXT PRIMARY KEY, data TEXT NOT NULL, created_at INTEGER NOT NULL);`,
];

const DATE_KEYS = new Set(['openedAt', 'acknowledgedAt', 'resolvedAt', 'startsAt', 'endsAt', 'at']);

/** JSON with Dates restored, for incident views and events read back from the store. */
export function reviveJson<T>(text: string): T {
  return JSON.parse(text, (k, v) => (DATE_KEYS.has(k) && typeof v === 'string' ? new Date(v) : v)) as T;
}

/** A row of the alert log (one alert's life, pending to resolved). */
export interface AlertLogRow {
  id: number;
  fingerprint: string;
  rule: string;
  device: string;
  site: string;
  instance: string;
  severity: Severity;
  state: AlertState;
  startsAt: number;
  endsAt?: number;
  incidentId?: string;
  data: string;
}

/** Filters of the incident and alert lists (the API's query parameters). */
export interface ListFilter<S extends string> {
  state?: S | S[];
  severity?: Severity | Severity[];
  site?: string;
  device?: string;
  rule?: string;
  /** Only what started at or after this time. */
  since?: Date;
  limit?: number;
  offset?: number;
}

function where(filter: ListFilter<string>, cols: { state: string; time: string; rule?: string }): { sql: string; args: unknown[] } {
  const parts: string[] = [];
  const args: unknown[] = [];
  const inList = (col: string, v: string | string[] | undefined) => {
    if (v === undefined) return;
    const list = Array.isArray(v) ? v : [v];
    if (list.length === 0) return;
    parts.push(`${col} IN (${list.map(() => '?').join(',')})`);
    args.push(...list);
  };
  inList(cols.state, filter.state);
  inList('severity', filter.severity);
  if (filter.site !== undefined) { parts.push('site = ?'); args.push(filter.site); }
  if (filter.device !== undefined) { parts.push('device = ?'); args.push(filter.device); }
  if (filter.rule !== undefined && cols.rule) { parts.push(`${cols.rule} = ?`); args.push(filter.rule); }
  if (filter.since !== undefined) { parts.push(`${cols.time} >= ?`); args.push(filter.since.getTime()); }
  return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', args };
}

/** The statements the engine runs on every pass, prepared once (better-sqlite3's prepare costs more than most runs). */
function prepareAll(db: Db) {
  return {
    begin: db.prepare('BEGIN'),
    commit: db.prepare('COMMIT'),
    rollback: db.prepare('ROLLBACK'),
    saveTracker: db.prepare('INSERT INTO alert_trackers (fingerprint, rule, device, instance, data, updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(fingerprint) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at'),
    deleteTracker: db.prepare('DELETE FROM alert_trackers WHERE fingerprint = ?'),
    insertAlertLog: db.prepare('INSERT INTO alert_log (fingerprint, rule, device, site, instance, severity, state, starts_at, ends_at, incident_id, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)'),
    updateAlertLog: db.prepare('UPDATE alert_log SET severity = ?, state = ?, starts_at = ?, ends_at = ?, incident_id = ?, data = ? WHERE id = ?'),
    deleteAlertLog: db.prepare('DELETE FROM alert_log WHERE id = ?'),
    maxIncident: db.prepare('SELECT MAX(n) AS n FROM alert_incidents'),
    saveIncident: db.prepare(`INSERT INTO alert_incidents (id, n, key, state, severity, site, device, opened_at, resolved_at, updated_at, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT(id) DO UPDATE SET state = excluded.state, severity = excluded.severity, site = excluded.site, device = excluded.device,
        resolved_at = excluded.resolved_at, updated_at = excluded.updated_at, data = excluded.data`),
    deleteIncident: db.prepare('DELETE FROM alert_incidents WHERE id = ?'),
    getIncident: db.prepare('SELECT data FROM alert_incidents WHERE id = ?'),
    appendEvent: db.prepare('INSERT INTO alert_incident_events (incident_id, kind, at, by, note, data) VALUES (?, ?, ?, ?, ?, ?)'),
    markDelivered: db.prepare('UPDATE alert_incident_events SET delivered = 1 WHERE seq = ?'),
  };
}

/**
 * Typed access to the alerting tables. Writes made inside {@link AlertStore.unit} share one transaction, opened by
 * the first write: a pass that changes nothing costs no transaction and no fsync.
 */
export class AlertStore {
  private readonly st: ReturnType<typeof prepareAll>;
  private inUnit = false;
  private began = false;

  constructor(readonly db: Db) {
    migrate(db, 'alerting', MIGRATIONS);
    this.st = prepareAll(db);
  }

  /** Runs `fn` as one unit of work: every write in it commits together, or none does when it throws. */
  unit<T>(fn: () => T): T {
    if (this.inUnit || this.db.inTransaction) return fn();
    this.inUnit = true;
    try {
      const out = fn();
      if (this.began) this.st.commit.run();
      return out;
    } catch (err) {
      if (this.began && this.db.inTransaction) this.st.rollback.run();
      throw err;
    } finally {
      this.inUnit = false;
      this.began = false;
    }
  }

  private write(): void {
    if (this.inUnit && !this.began) { this.st.begin.run(); this.began = true; }
  }

  loadTrackers(): { fingerprint: string; data: string }[] {
    return this.db.prepare('SELECT fingerprint, data FROM alert_trackers').all() as { fingerprint: string; data: string }[];
  }
  saveTracker(t: { fingerprint: string; rule: string; device: string; instance: string }, data: string, now: number): void {
    this.write();
    this.st.saveTracker.run(t.fingerprint, t.rule, t.device, t.instance, data, now);
  }
  deleteTracker(fingerprint: string): void {
    this.write();
    this.st.deleteTracker.run(fingerprint);
  }

  insertAlertLog(r: Omit<AlertLogRow, 'id'>): number {
    this.write();
    return Number(this.st.insertAlertLog.run(r.fingerprint, r.rule, r.device, r.site, r.instance, r.severity, r.state, r.startsAt, r.endsAt ?? null, r.incidentId ?? null, r.data).lastInsertRowid);
  }
  updateAlertLog(id: number, r: { severity: Severity; state: AlertState; startsAt: number; endsAt?: number; incidentId?: string; data: string }): void {
    this.write();
    this.st.updateAlertLog.run(r.severity, r.state, r.startsAt, r.endsAt ?? null, r.incidentId ?? null, r.data, id);
  }
  deleteAlertLog(id: number): void {
    this.write();
    this.st.deleteAlertLog.run(id);
  }
  listAlertLog(filter: ListFilter<AlertState>): { total: number; rows: AlertLogRow[] } {
    const w = where(filter, { state: 'state', time: 'starts_at', rule: 'rule' });
    const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM alert_log ${w.sql}`).get(...w.args) as { n: number }).n;
    const rows = this.db.prepare(`SELECT id, fingerprint, rule, device, site, instance, severity, state, starts_at AS startsAt, ends_at AS endsAt, incident_id AS incidentId, data FROM alert_log ${w.sql} ORDER BY starts_at DESC, id DESC LIMIT ? OFFSET ?`)
      .all(...w.args, filter.limit ?? 50, filter.offset ?? 0) as AlertLogRow[];
    return { total, rows: rows.map((r) => ({ ...r, endsAt: r.endsAt ?? undefined, incidentId: r.incidentId ?? undefined })) };
  }

  nextIncidentNumber(): number {
    return ((this.st.maxIncident.get() as { n: number | null }).n ?? 0) + 1;
  }
  saveIncident(n: number, view: IncidentView, now: number): void {
    this.write();
    this.st.saveIncident.run(view.id, n, view.key, view.state, view.severity, view.site ?? null, view.device ?? null, view.openedAt.getTime(), view.resolvedAt?.getTime() ?? null, now, JSON.stringify(view));
  }
  /** Drops a number reserved for an incident that was never announced. */
  deleteIncident(id: string): void {
    this.write();
    this.st.deleteIncident.run(id);
  }
  loadOpenIncidents(): { n: number; view: IncidentView }[] {
    return (this.db.prepare("SELECT n, data FROM alert_incidents WHERE state != 'resolved' ORDER BY n").all() as { n: number; data: string }[])
      .map((r) => ({ n: r.n, view: reviveJson<IncidentView>(r.data) }));
  }
  getIncident(id: string): IncidentView | undefined {
    const row = this.st.getIncident.get(id) as { data: string } | undefined;
    return row && reviveJson<IncidentView>(row.data);
  }
  listIncidents(filter: ListFilter<IncidentState>): { total: number; items: IncidentView[] } {
    const w = where(filter, { state: 'state', time: 'opened_at' });
    const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM alert_incidents ${w.sql}`).get(...w.args) as { n: number }).n;
    const rows = this.db.prepare(`SELECT data FROM alert_incidents ${w.sql} ORDER BY opened_at DESC, n DESC LIMIT ? OFFSET ?`)
      .all(...w.args, filter.limit ?? 50, filter.offset ?? 0) as { data: string }[];
    return { total, items: rows.map((r) => reviveJson<IncidentView>(r.data)) };
  }

  /** Appends an event and returns it with its sequence number. */
  appendEvent(kind: IncidentEventKind, at: number, incident: IncidentView, by?: string, note?: string): IncidentEvent {
    this.write();
    const seq = Number(this.st.appendEvent.run(incident.id, kind, at, by ?? null, note ?? null, JSON.stringify(incident)).lastInsertRowid);
    return { seq, kind, at: new Date(at), incident, ...(by !== undefined ? { by } : {}), ...(note !== undefined ? { note } : {}) };
  }
  markDelivered(seq: number): void {
    this.st.markDelivered.run(seq);
  }
  undeliveredEvents(): IncidentEvent[] {
    return this.eventsWhere('WHERE delivered = 0', []);
  }
  incidentEvents(id: string): IncidentEvent[] {
    return this.eventsWhere('WHERE incident_id = ?', [id]);
  }
  private eventsWhere(sql: string, args: unknown[]): IncidentEvent[] {
    const rows = this.db.prepare(`SELECT seq, kind, at, by, note, data FROM alert_incident_events ${sql} ORDER BY seq`).all(...args) as
      { seq: number; kind: IncidentEventKind; at: number; by: string | null; note: string | null; data: string }[];
    return rows.map((r) => ({
      seq: r.seq, kind: r.kind, at: new Date(r.at), incident: reviveJson<IncidentView>(r.data),
      ...(r.by !== null ? { by: r.by } : {}), ...(r.note !== null ? { note: r.note } : {}),
    }));
  }

  loadMaintenance(): { id: string; data: string }[] {
    return this.db.prepare('SELECT id, data FROM alert_maintenance ORDER BY created_at, id').all() as { id: string; data: string }[];
  }
  saveMaintenance(id: string, data: string, now: number): void {
    this.db.prepare('INSERT INTO alert_maintenance (id, data, created_at) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET data = excluded.data').run(id, data, now);
  }
  deleteMaintenance(id: string): boolean {
    return this.db.prepare('DELETE FROM alert_maintenance WHERE id = ?').run(id).changes > 0;
  }
}
