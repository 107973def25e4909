import type { Db } from '../../core/database.js';
import type { IncidentView } from '../../core/incident.js';
import { NoticeMutes, type NoticeMute } from './notice-mutes.js';

/** How long a mute holds pages when notify.yaml says nothing (ackLinks.muteFor's default). */
export const DEFAULT_MUTE_MS = 3_600_000;

/** Whether an incident's pages wait now: not held, held until the incident changes, or held until an instant. */
export type PageHold = { held: false } | { held: true; recheckAt?: number };

/**
 * The one place that decides whether escalation may page an incident now. Pages (first page, escalations,
 * repeats, SLA reminders, phone fallback) wait while the incident itself is muted or flapping (until its next
 * event says otherwise) and while a "mute for 1 h" from a notice lasts (then what fell due is considered).
 * Acknowledged and resolved notices are not held: escalation sends them outside this check.
 */
export class PageHolds {
  private readonly mutes: NoticeMutes;

  constructor(db: Db, readonly muteForMs: number = DEFAULT_MUTE_MS) {
    this.mutes = new NoticeMutes(db);
  }

  /** The `held` flag stored with an incident: its own mute (maintenance, parent down, silence) or flapping. */
  static flagOf(inc: Pick<IncidentView, 'muted' | 'flapping'>): 0 | 1 {
    return inc.muted || inc.flapping ? 1 : 0;
  }

  /** Whether pages of an incident with the stored `held` flag wait at `nowMs`, and when to look again. */
  check(incidentId: string, heldFlag: number, nowMs: number): PageHold {
    if (heldFlag === 1) return { held: true };
    const mute = this.mutes.active(incidentId, nowMs);
    return mute ? { held: true, recheckAt: mute.until.getTime() } : { held: false };
  }

  /** Holds an incident's pages for the configured mute time from `nowMs` (a second mute extends, never shortens). */
  mute(incidentId: string, by: string, nowMs: number): NoticeMute {
    return this.mutes.mute(incidentId, by, nowMs, this.muteForMs);
  }

  /** The notice mute that lasts past `nowMs`, or undefined. */
  active(incidentId: string, nowMs: number): NoticeMute | undefined {
    return this.mutes.active(incidentId, nowMs);
  }
}
