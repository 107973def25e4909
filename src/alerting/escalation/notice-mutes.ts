import { migrate, type Db } from '../../core/database.js';

/** Tables of the notice holds (migrate module "notice-mutes"); append, never edit, once released. */
const NOTICE_MUTE_MIGRATIONS: readonly string[] = [
  `CREATE TABLE notice_mutes (
    incident_id TEXT PRIMARY KEY, muted_at INTEGER NOT NULL, until INTEGER NOT NULL, muted_by TEXT NOT NULL
  )`,
];

/** A hold on one incident's pages: from when, until when, set by whom. */
export interface NoticeMute { incidentId: string; mutedAt: Date; until: Date; by: string }

/**
 * "Mute for 1 h" from a notice: while a hold lasts, escalation sends the incident no pages (first page,
 * escalations, repeats), no SLA reminders and no phone fallback; a step that falls due meanwhile fires when
 * the hold ends, if the incident is then still unacknowledged (unresolved for `until: resolved` steps), and a
 * repeating step sends one page, not every one it missed. Acknowledged and resolved notices still go (they
 * tell people to stop). The SLA clocks keep running: a hold is not a clock pause. Stored, so it survives a restart.
 */
export class NoticeMutes {
  private readonly q;

  constructor(db: Db) {
    migrate(db, 'notice-mutes', NOTICE_MUTE_MIGRATIONS);
    this.q = {
      get: db.prepare('SELECT * FROM notice_mutes WHERE incident_id = ?'),
      // A second mute extends the hold (to its own end), never shortens one that lasts longer.
      set: db.prepare(`INSERT INTO notice_mutes (incident_id, muted_at, until, muted_by) VALUES (?, ?, ?, ?)
        ON CONFLICT (incident_id) DO UPDATE SET muted_at = excluded.muted_at, muted_by = excluded.muted_by, until = MAX(until, excluded.until)`),
      purge: db.prepare('DELETE FROM notice_mutes WHERE until <= ?'),
    };
  }

  /** The hold on an incident that lasts past `nowMs`, or undefined. */
  active(incidentId: string, nowMs: number): NoticeMute | undefined {
    const r = this.q.get.get(incidentId) as { incident_id: string; muted_at: number; until: number; muted_by: string } | undefined;
    if (!r || r.until <= nowMs) return undefined;
    return { incidentId: r.incident_id, mutedAt: new Date(r.muted_at), until: new Date(r.until), by: r.muted_by };
  }

  /** Holds the incident's pages for `forMs` from `nowMs`; returns the hold as stored. */
  mute(incidentId: string, by: string, nowMs: number, forMs: number): NoticeMute {
    this.q.purge.run(nowMs);
    this.q.set.run(incidentId, nowMs, nowMs + forMs, by);
    return this.active(incidentId, nowMs)!;
  }
}
