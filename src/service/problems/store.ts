import { migrate, type Db } from '../../core/database.js';

/** Where a problem stands in its examination; `fixed` still needs a person to close the record. */
export const FIX_STATUSES = ['investigating', 'known-error', 'fix-planned', 'fixed', 'wont-fix'] as const;
export type FixStatus = (typeof FIX_STATUSES)[number];

export type ProblemRecordState = 'open' | 'closed';

/** A problem record (问题记录): a fault that keeps coming back, with what people found out about it. */
export interface ProblemRecord {
  id: string;
  /** What makes incidents "the same": `device:<name>` or `device-rule:<name>|<rule>`. */
  key: string;
  device: string;
  rule?: string;
  site?: string;
  state: ProblemRecordState;
  openedAt: Date;
  closedAt?: Date;
  closedBy?: string;
  /** Times the pattern came back after the record was closed. */
  reopened: number;
  rootCause?: string;
  workaround?: string;
  fixStatus: FixStatus;
  updatedAt: Date;
  updatedBy?: string;
  /** Linked incidents, oldest first. */
  incidents: { id: string; openedAt: Date }[];
}

/** One line of a problem's history: opened, linked, reopened, edited, closed. */
export interface ProblemRecordLogEntry {
  at: Date;
  kind: 'opened' | 'linked' | 'reopened' | 'edited' | 'closed';
  by?: string;
  note?: string;
}

/** Fields people write on a problem. */
export interface ProblemRecordEdit {
  rootCause?: string | null;
  workaround?: string | null;
  fixStatus?: FixStatus;
}

const MIGRATIONS = [
  `CREATE TABLE service_problems (id TEXT PRIMARY KEY, n INTEGER NOT NULL UNIQUE, key TEXT NOT NULL, device TEXT NOT NULL, rule TEXT, site TEXT,
     state TEXT NOT NULL, opened_at INTEGER NOT NULL, closed_at INTEGER, closed_by TEXT, reopened INTEGER NOT NULL DEFAULT 0,
     root_cause TEXT, workaround TEXT, fix_status TEXT NOT NULL, updated_at INTEGER NOT NULL, updated_by TEXT);
   CREATE INDEX service_problems_key ON service_problems (key, n);
   CREATE TABLE service_problem_incidents (problem_id TEXT NOT NULL, incident_id TEXT NOT NULL, opened_at INTEGER NOT NULL, PRIMARY KEY (problem_id, incident_id));
   CREATE INDEX service_problem_incidents_incident ON service_problem_incidents (incident_id);
   CREATE TABLE service_problem_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, problem_id TEXT NOT NULL, at INTEGER NOT NULL, kind TEXT NOT NULL, by TEXT, note TEXT);`,
];

interface Row {
  id: string; key: string; device: string; rule: string | null; site: string | null; state: ProblemRecordState; opened_at: number;
  closed_at: number | null; closed_by: string | null; reopened: number; root_cause: string | null; workaround: string | null;
  fix_status: FixStatus; updated_at: number; updated_by: string | null;
}

/** Filters of the problem list. */
export interface ProblemRecordFilter {
  state?: ProblemRecordState;
  device?: string;
  site?: string;
  /** Problems opened or with an incident linked at or after this time. */
  since?: Date;
  limit?: number;
  offset?: number;
}

/** The problem tables in the state database. */
export class ProblemStore {
  constructor(private readonly db: Db) {
    migrate(db, 'service-problems', MIGRATIONS);
  }

  /** The most recent problem of a key, open or closed. */
  latestFor(key: string): ProblemRecord | undefined {
    const row = this.db.prepare('SELECT * FROM service_problems WHERE key = ? ORDER BY n DESC LIMIT 1').get(key) as Row | undefined;
    return row && this.hydrate(row);
  }

  get(id: string): ProblemRecord | undefined {
    const row = this.db.prepare('SELECT * FROM service_problems WHERE id = ?').get(id) as Row | undefined;
    return row && this.hydrate(row);
  }

  /** The problem an incident is linked to, if any. */
  forIncident(incidentId: string): ProblemRecord | undefined {
    const r = this.db.prepare('SELECT problem_id FROM service_problem_incidents WHERE incident_id = ? LIMIT 1').get(incidentId) as { problem_id: string } | undefined;
    return r && this.get(r.problem_id);
  }

  list(filter: ProblemRecordFilter = {}): { items: ProblemRecord[]; total: number } {
    const parts: string[] = [];
    const args: unknown[] = [];
    if (filter.state) { parts.push('state = ?'); args.push(filter.state); }
    if (filter.device) { parts.push('device = ?'); args.push(filter.device); }
    if (filter.site) { parts.push('site = ?'); args.push(filter.site); }
    if (filter.since) {
      parts.push('(opened_at >= ? OR id IN (SELECT problem_id FROM service_problem_incidents WHERE opened_at >= ?))');
      args.push(filter.since.getTime(), filter.since.getTime());
    }
    const where = parts.length ? `WHERE ${parts.join(' AND ')}` : '';
    const total = (this.db.prepare(`SELECT COUNT(*) AS c FROM service_problems ${where}`).get(...args) as { c: number }).c;
    const rows = this.db.prepare(`SELECT * FROM service_problems ${where} ORDER BY n DESC LIMIT ? OFFSET ?`)
      .all(...args, filter.limit ?? 50, filter.offset ?? 0) as Row[];
    return { items: rows.map((r) => this.hydrate(r)), total };
  }

  log(id: string): ProblemRecordLogEntry[] {
    const rows = this.db.prepare('SELECT at, kind, by, note FROM service_problem_log WHERE problem_id = ? ORDER BY seq').all(id) as
      { at: number; kind: ProblemRecordLogEntry['kind']; by: string | null; note: string | null }[];
    return rows.map((r) => ({ at: new Date(r.at), kind: r.kind, by: r.by ?? undefined, note: r.note ?? undefined }));
  }

  /** Opens a new record over `incidents` (one transaction). */
  open(p: { key: string; device: string; rule?: string; site?: string; at: Date; incidents: { id: string; openedAt: Date }[]; note: string }): ProblemRecord {
    return this.db.transaction(() => {
      const n = ((this.db.prepare('SELECT MAX(n) AS n FROM service_problems').get() as { n: number | null }).n ?? 0) + 1;
      const id = `PRB-${String(n).padStart(4, '0')}`;
      this.db.prepare(`INSERT INTO service_problems (id, n, key, device, rule, site, state, opened_at, fix_status, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, 'open', ?, 'investigating', ?)`).run(id, n, p.key, p.device, p.rule ?? null, p.site ?? null, p.at.getTime(), p.at.getTime());
      this.appendLog(id, p.at, 'opened', undefined, p.note);
      for (const i of p.incidents) this.link(id, i, p.at);
      return this.get(id)!;
    })();
  }

  /** Links an incident (idempotent: a redelivered event links nothing twice). Returns false when it was linked already. */
  link(problemId: string, incident: { id: string; openedAt: Date }, at: Date): boolean {
    const r = this.db.prepare('INSERT OR IGNORE INTO service_problem_incidents (problem_id, incident_id, opened_at) VALUES (?, ?, ?)')
      .run(problemId, incident.id, incident.openedAt.getTime());
    if (r.changes > 0) this.appendLog(problemId, at, 'linked', undefined, incident.id);
    return r.changes > 0;
  }

  /** Reopens a closed record because its pattern came back. */
  reopen(id: string, at: Date, incidents: { id: string; openedAt: Date }[], note: string): ProblemRecord {
    return this.db.transaction(() => {
      this.db.prepare(`UPDATE service_problems SET state = 'open', closed_at = NULL, closed_by = NULL, reopened = reopened + 1,
        fix_status = 'investigating', updated_at = ? WHERE id = ?`).run(at.getTime(), id);
      this.appendLog(id, at, 'reopened', undefined, note);
      for (const i of incidents) this.link(id, i, at);
      return this.get(id)!;
    })();
  }

  /** People's edits; returns the record before and after, for the audit trail. */
  edit(id: string, edit: ProblemRecordEdit, by: string, at: Date): { before: ProblemRecord; after: ProblemRecord } | undefined {
    const before = this.get(id);
    if (!before) return undefined;
    const sets: string[] = [];
    const args: unknown[] = [];
    if (edit.rootCause !== undefined) { sets.push('root_cause = ?'); args.push(edit.rootCause); }
    if (edit.workaround !== undefined) { sets.push('workaround = ?'); args.push(edit.workaround); }
    if (edit.fixStatus !== undefined) { sets.push('fix_status = ?'); args.push(edit.fixStatus); }
    this.db.transaction(() => {
      this.db.prepare(`UPDATE service_problems SET ${[...sets, 'updated_at = ?', 'updated_by = ?'].join(', ')} WHERE id = ?`).run(...args, at.getTime(), by, id);
      this.appendLog(id, at, 'edited', by, Object.keys(edit).join(', '));
    })();
    return { before, after: this.get(id)! };
  }

  /** Closes a record by hand; false when it was closed already. */
  close(id: string, by: string, at: Date, note?: string): boolean {
    return this.db.transaction(() => {
      const r = this.db.prepare(`UPDATE service_problems SET state = 'closed', closed_at = ?, closed_by = ?, updated_at = ?, updated_by = ? WHERE id = ? AND state = 'open'`)
        .run(at.getTime(), by, at.getTime(), by, id);
      if (r.changes > 0) this.appendLog(id, at, 'closed', by, note);
      return r.changes > 0;
    })();
  }

  private appendLog(id: string, at: Date, kind: ProblemRecordLogEntry['kind'], by?: string, note?: string): void {
    this.db.prepare('INSERT INTO service_problem_log (problem_id, at, kind, by, note) VALUES (?, ?, ?, ?, ?)').run(id, at.getTime(), kind, by ?? null, note ?? null);
  }

  private hydrate(r: Row): ProblemRecord {
    const incidents = (this.db.prepare('SELECT incident_id, opened_at FROM service_problem_incidents WHERE problem_id = ? ORDER BY opened_at').all(r.id) as
      { incident_id: string; opened_at: number }[]).map((i) => ({ id: i.incident_id, openedAt: new Date(i.opened_at) }));
    return {
      id: r.id, key: r.key, device: r.device, rule: r.rule ?? undefined, site: r.site ?? undefined, state: r.state,
      openedAt: new Date(r.opened_at), closedAt: r.closed_at === null ? undefined : new Date(r.closed_at), closedBy: r.closed_by ?? undefined,
      reopened: r.reopened, rootCause: r.root_cause ?? undefined, workaround: r.workaround ?? undefined, fixStatus: r.fix_status,
      updatedAt: new Date(r.updated_at), updatedBy: r.updated_by ?? undefined, incidents,
    };
  }
}
