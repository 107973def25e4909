import type { Db } from '../core/database.js';
import type { Role, Via } from './principal.js';
import { migrateAuth } from './schema.js';

/** How an audited request ended: done, refused (401/403/429: not allowed), or failed (any other 4xx/5xx). */
export type AuditOutcome = 'ok' | 'refused' | 'failed';

/** One audit row: who did what, when, from where, through which path, to what, and the state before and after. */
export interface AuditEntry {
  at: Date;
  who: string;
  role?: Role;
  /** `anonymous` when nobody was authenticated (a failed login, a refused request). */
  via: Via | 'anonymous';
  address: string;
  /** `incident.acknowledge`, `login.failure`, `user.change`, ... or `METHOD /route` for a route that names none. */
  action: string;
  method: string;
  route: string;
  target?: string;
  status: number;
  outcome: AuditOutcome;
  before?: unknown;
  after?: unknown;
  detail?: string;
}

/** A stored row, with its id. */
export interface AuditRow extends AuditEntry { id: number }

/** What the audit list can be narrowed by. */
export interface AuditQuery { who?: string; action?: string; since?: Date; until?: Date; limit: number; offset: number }

interface Row {
  id: number; at: number; who: string; role: Role | null; via: AuditEntry['via']; address: string; action: string; method: string; route: string;
  target: string | null; status: number; outcome: AuditOutcome; before: string | null; after: string | null; detail: string | null;
}

/** Longest text kept per field: what people typed is bounded before it is stored. */
const MAX_TEXT = 500;
/** Longest before/after JSON kept; a bigger state is cut (and says so). */
const MAX_JSON = 16_384;

function clip(s: string | undefined, max = MAX_TEXT): string | undefined {
  return s === undefined ? undefined : s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function json(v: unknown): string | null {
  if (v === undefined) return null;
  const s = JSON.stringify(v);
  return s.length > MAX_JSON ? JSON.stringify({ truncated: true, text: s.slice(0, MAX_JSON) }) : s;
}

/**
 * The audit trail in the state database. Rows are only ever added (a trigger refuses UPDATE) and deleted by
 * the retention prune; no API route changes or deletes them.
 */
export class AuditLog {
  constructor(private readonly db: Db) {
    migrateAuth(db);
  }

  /** Adds one row; returns its id. */
  record(e: AuditEntry): number {
    const r = this.db.prepare(`INSERT INTO audit_log (at, who, role, via, address, action, method, route, target, status, outcome, before, after, detail)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
      e.at.getTime(), clip(e.who, 200)!, e.role ?? null, e.via, clip(e.address, 100)!, clip(e.action, 100)!, e.method, clip(e.route, 300)!,
      clip(e.target) ?? null, e.status, e.outcome, json(e.before), json(e.after), clip(e.detail) ?? null);
    return Number(r.lastInsertRowid);
  }

  /** Rows matching the query, newest first, and how many match in all. */
  list(q: AuditQuery): { total: number; items: AuditRow[] } {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (q.who !== undefined) { where.push('who = ?'); args.push(q.who); }
    if (q.action !== undefined) { where.push('action = ?'); args.push(q.action); }
    if (q.since) { where.push('at >= ?'); args.push(q.since.getTime()); }
    if (q.until) { where.push('at < ?'); args.push(q.until.getTime()); }
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (this.db.prepare(`SELECT count(*) AS n FROM audit_log ${w}`).get(...args) as { n: number }).n;
    const rows = this.db.prepare(`SELECT * FROM audit_log ${w} ORDER BY at DESC, id DESC LIMIT ? OFFSET ?`).all(...args, q.limit, q.offset) as Row[];
    return { total, items: rows.map(fromRow) };
  }

  /** Deletes rows older than `cutoff` (the retention prune); returns how many. */
  prune(cutoff: Date): number {
    return this.db.prepare('DELETE FROM audit_log WHERE at < ?').run(cutoff.getTime()).changes;
  }
}

function fromRow(r: Row): AuditRow {
  return {
    id: r.id, at: new Date(r.at), who: r.who, ...(r.role ? { role: r.role } : {}), via: r.via, address: r.address, action: r.action,
    method: r.method, route: r.route, ...(r.target !== null ? { target: r.target } : {}), status: r.status, outcome: r.outcome,
    ...(r.before !== null ? { before: JSON.parse(r.before) as unknown } : {}), ...(r.after !== null ? { after: JSON.parse(r.after) as unknown } : {}),
    ...(r.detail !== null ? { detail: r.detail } : {}),
  };
}
