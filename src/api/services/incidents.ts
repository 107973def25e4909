import type { AlertRecord } from '../../alerting/alerts-view.js';
import type { IncidentActions, IncidentEvent, IncidentView } from '../../core/incident.js';
import type { Awaitable } from './awaitable.js';

export type { AlertRecord };

/** The alert engine's incident store, read side plus {@link IncidentActions}. */
export interface IncidentService extends IncidentActions {
  /** Every incident not resolved, plus those resolved at or after `since`. */
  listIncidents(since: Date): Awaitable<IncidentView[]>;
  get(id: string): Awaitable<IncidentView | undefined>;
  /** The persisted transitions of one incident, oldest first. */
  timeline(id: string): Awaitable<IncidentEvent[]>;
  /** Every alert not resolved, plus those that ended at or after `since`. */
  listAlerts(since: Date): Awaitable<AlertRecord[]>;
}
