import type { AlertState, AlertView, IncidentEvent, IncidentState, IncidentView } from '../../core/incident.js';
import { buildIncidentView } from '../incidents.js';
import { reviveJson, type AlertStore, type ListFilter } from '../store.js';
import type { EngineContext } from './context.js';
import type { IncidentBook } from './incident-book.js';
import type { TrackerTable } from './trackers.js';
import type { AlertViews } from './views.js';

/** One incident with everything that happened to it, for the API. */
export interface IncidentDetail { incident: IncidentView; timeline: IncidentEvent[] }

/**
 * The queries of the API and reports: the store's incidents and alert log, with open incidents and live alerts
 * shown with their current values (events and log rows carry the values of their moment).
 */
export class AlertReadModel {
  private readonly store: AlertStore;

  constructor(
    private readonly ctx: EngineContext,
    private readonly trackers: TrackerTable,
    private readonly incidents: IncidentBook,
    private readonly views: AlertViews,
  ) {
    this.store = ctx.store;
  }

  /** An open incident with its alerts' current values. */
  private liveView(id: string): IncidentView | undefined {
    const inc = this.incidents.get(id);
    if (!inc) return undefined;
    const alerts = inc.view.alerts.map((a) => {
      const tr = this.trackers.get(a.fingerprint);
      return tr && tr.incidentId === id ? this.views.alertView(tr) : a;
    });
    return buildIncidentView(inc.head, alerts, this.ctx.locale, inc.view);
  }

  listIncidents(filter: ListFilter<IncidentState> = {}): { total: number; items: IncidentView[] } {
    const r = this.store.listIncidents(filter);
    return { total: r.total, items: r.items.map((v) => this.liveView(v.id) ?? v) };
  }

  getIncident(id: string): IncidentDetail | undefined {
    const incident = this.liveView(id) ?? this.store.getIncident(id);
    // A number reserved in this pass for an incident not announced yet is not shown.
    if (!incident || this.incidents.get(id)?.sig === '') return undefined;
    return { incident, timeline: this.store.incidentEvents(id) };
  }

  listAlerts(filter: ListFilter<AlertState> = {}): { total: number; items: AlertView[] } {
    const r = this.store.listAlertLog(filter);
    return {
      total: r.total,
      items: r.rows.map((row) => {
        const tr = this.trackers.get(row.fingerprint);
        return tr && this.trackers.hot.has(tr) && tr.logId === row.id ? this.views.alertView(tr) : reviveJson<AlertView>(row.data);
      }),
    };
  }

  /** How much the engine holds: trackers (one per rule and instance), hot ones (pending, firing, in an incident), open incidents. */
  stats(): { trackers: number; hot: number; openIncidents: number } {
    return { trackers: this.trackers.size, hot: this.trackers.hot.size, openIncidents: this.incidents.all().length };
  }

  /** Pending and firing alerts now. */
  activeAlerts(): AlertView[] {
    return [...this.trackers.hot].filter((t) => t.state !== 'inactive').map((t) => this.views.alertView(t));
  }
}
