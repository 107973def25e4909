/**
 * The alert engine's incidents and alerts as one list each, for readers (the API, the wall): what is
 * open now merged with what ended recently. Kept apart from the engine so its read model has one home.
 */
import type { AlertView, IncidentView } from '../core/incident.js';
import type { AlertEngine } from './engine.js';

/** An alert with the incident it belongs to, when it belongs to an open one. */
export type AlertRecord = AlertView & { incidentId?: string };

/** The engine queries this view reads. */
export type AlertQueries = Pick<AlertEngine, 'listIncidents' | 'listAlerts' | 'activeAlerts'>;

/** More than any NOC keeps open at once; the engine's store pages at 50 otherwise. */
const ALL = 100_000;

/** Every incident not resolved, plus those resolved ones the store lists since `since`. */
export function incidentsSince(engine: AlertQueries, since: Date): IncidentView[] {
  const open = engine.listIncidents({ state: ['open', 'acknowledged'], limit: ALL }).items;
  const resolved = engine.listIncidents({ state: 'resolved', since, limit: ALL }).items;
  return [...open, ...resolved];
}

/** Open (and acknowledged) incidents per device name. */
export function openIncidentCounts(engine: AlertQueries): Map<string, number> {
  const counts = new Map<string, number>();
  for (const i of engine.listIncidents({ state: ['open', 'acknowledged'], limit: ALL }).items) {
    if (i.device) counts.set(i.device, (counts.get(i.device) ?? 0) + 1);
  }
  return counts;
}

/**
 * Pending and firing alerts (from the engine's memory) plus those resolved since `since` (from its
 * store), each once: an alert that is both active and logged (same fingerprint and start) is the active one.
 */
export function alertsSince(engine: AlertQueries, since: Date): AlertRecord[] {
  const incidentOf = new Map<string, string>();
  for (const i of engine.listIncidents({ state: ['open', 'acknowledged'], limit: ALL }).items) {
    for (const a of i.alerts) incidentOf.set(a.fingerprint, i.id);
  }
  const active = engine.activeAlerts();
  const seen = new Set(active.map((a) => a.fingerprint + a.startsAt.getTime()));
  const ended = engine.listAlerts({ state: 'resolved', since, limit: ALL }).items.filter((a) => !seen.has(a.fingerprint + a.startsAt.getTime()));
  return [...active, ...ended].map((a): AlertRecord => ({ ...a, incidentId: incidentOf.get(a.fingerprint) }));
}
