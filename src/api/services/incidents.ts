import type { AlertRecord } from '../../alerting/alerts-view.js';
import type { IncidentActions, IncidentEvent, IncidentView } from '../../core/incident.js';
import type { Awaitable } from './awaitable.js';

export type { AlertRecord };

/** {@link IncidentActions} as the API calls them: awaited, so a wrapper (site scoping) may look things up first. */
export type IncidentServiceActions = { [K in keyof IncidentActions]: (...a: Parameters<IncidentActions[K]>) => Awaitable<ReturnType<IncidentActions[K]>> };

/** The alert engine's incident store, read side plus its actions. */
export interface IncidentService extends IncidentServiceActions {
  /** Every incident not resolved, plus those resolved at or after `since`. */
  listIncidents(since: Date): Awaitable<IncidentView[]>;
  get(id: string): Awaitable<IncidentView | undefined>;
  /** The persisted transitions of one incident, oldest first. */
  timeline(id: string): Awaitable<IncidentEvent[]>;
  /** Every alert not resolved, plus those that ended at or after `since`. */
  listAlerts(since: Date): Awaitable<AlertRecord[]>;
}
