import { randomUUID } from 'node:crypto';
import type { Db } from '../../core/database.js';
import type { Interval } from '../../service/calendar.js';

/** Why a person stopped an incident's SLA clocks. */
export const PAUSE_REASONS = ['waiting-for-customer', 'carrier-fault', 'spare-part-in-transit', 'maintenance-window'] as const;
export type PauseReason = (typeof PAUSE_REASONS)[number];

/** One clock pause; `endedAt` absent while it lasts. */
export interface SlaPause {
  id: string;
  incidentId: string;
  reason: PauseReason;
  note?: string;
  startedAt: Date;
  startedBy: string;
  endedAt?: Date;
  endedBy?: string;
}

interface Row {
  pause_id: string; incident_id: string; reason: PauseReason; note: string | null;
  started_at: number; started_by: string; ended_at: number | null; ended_by: string | null;
}

function toPause(r: Row): SlaPause {
  return {
    id: r.pause_id, incidentId: r.incident_id, reason: r.reason, note: r.note ?? undefined,
    startedAt: new Date(r.started_at), startedBy: r.started_by,
    endedAt: r.ended_at === null ? undefined : new Date(r.ended_at), endedBy: r.ended_by ?? undefined,
  };
}

/** The pauses as intervals the calendar arithmetic takes out (an open pause runs to Infinity). */
export function pauseIntervals(pauses: readonly SlaPause[]): Interval[] {
  return pauses.map((p) => ({ from: p.startedAt.getTime(), to: p.endedAt?.getTime() ?? Infinity }));
}

/** Clock pauses in the state database (table sla_pauses, created by the escalation migrations). */
export class PauseStore {
  private readonly q;
  constructor(db: Db) {
    this.q = {
      list: db.prepare('SELECT * FROM sla_pauses WHERE incident_id = ? ORDER BY started_at, pause_id'),
      get: db.prepare('SELECT * FROM sla_pauses WHERE pause_id = ? AND incident_id = ?'),
      open: db.prepare('SELECT * FROM sla_pauses WHERE incident_id = ? AND ended_at IS NULL'),
      insert: db.prepare('INSERT INTO sla_pauses (pause_id, incident_id, reason, note, started_at, started_by) VALUES (?, ?, ?, ?, ?, ?)'),
      end: db.prepare('UPDATE sla_pauses SET ended_at = ?, ended_by = ? WHERE pause_id = ? AND ended_at IS NULL'),
    };
  }

  /** Every pause of an incident, oldest first. */
  list(incidentId: string): SlaPause[] {
    return (this.q.list.all(incidentId) as Row[]).map(toPause);
  }

  /** One pause of an incident. */
  get(incidentId: string, pauseId: string): SlaPause | undefined {
    const r = this.q.get.get(pauseId, incidentId) as Row | undefined;
    return r ? toPause(r) : undefined;
  }

  /** The pause that still lasts, if any (there is at most one). */
  open(incidentId: string): SlaPause | undefined {
    const r = this.q.open.get(incidentId) as Row | undefined;
    return r ? toPause(r) : undefined;
  }

  /** Records a new pause starting at `atMs`. */
  start(incidentId: string, reason: PauseReason, note: string | undefined, by: string, atMs: number): SlaPause {
    const id = `pause-${randomUUID()}`;
    this.q.insert.run(id, incidentId, reason, note ?? null, atMs, by);
    return this.get(incidentId, id)!;
  }

  /** Ends a lasting pause at `atMs`; false when it had already ended. */
  end(pauseId: string, by: string, atMs: number): boolean {
    return this.q.end.run(atMs, by, pauseId).changes > 0;
  }
}
