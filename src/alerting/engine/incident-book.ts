import type { AlertView, IncidentEventKind, IncidentView } from '../../core/incident.js';
import { buildIncidentView, incidentSignature, type IncidentHead } from '../incidents.js';
import type { EngineContext, Pass } from './context.js';
import type { Tracker, TrackerTable } from './trackers.js';
import type { AlertViews } from './views.js';

/** An open incident: what it keeps, its last announced view, and that view's signature ('' until announced). */
export interface OpenIncident { head: IncidentHead; view: IncidentView; sig: string }

/**
 * The open incidents: opened by grouping key, rebuilt from their alerts, closed when the last alert leaves, and
 * changed by operators (acknowledge, resolve by hand, comment). Every change is saved and becomes an event.
 */
export class IncidentBook {
  private readonly open = new Map<string, OpenIncident>();
  private readonly byKey = new Map<string, string>();

  constructor(
    private readonly ctx: EngineContext,
    private readonly trackers: TrackerTable,
    private readonly views: AlertViews,
  ) {}

  /** The open incidents of the store, after a restart. */
  load(): void {
    for (const { n, view } of this.ctx.store.loadOpenIncidents()) {
      const head: IncidentHead = {
        id: view.id, n, key: view.key, state: view.state, openedAt: view.openedAt,
        ...(view.acknowledgedAt ? { acknowledgedAt: view.acknowledgedAt, acknowledgedBy: view.acknowledgedBy } : {}),
      };
      this.open.set(view.id, { head, view, sig: incidentSignature(view) });
      this.byKey.set(view.key, view.id);
    }
  }

  get(id: string): OpenIncident | undefined { return this.open.get(id); }
  all(): OpenIncident[] { return [...this.open.values()]; }

  /** The open incident of a grouping key, or a new one (announced when it is first rebuilt with alerts). */
  forKey(key: string, now: number): string {
    const existing = this.byKey.get(key);
    if (existing) return existing;
    const n = this.ctx.store.nextIncidentNumber();
    const head: IncidentHead = { id: `INC-${n}`, n, key, state: 'open', openedAt: new Date(now) };
    const view = buildIncidentView(head, [], this.ctx.locale);
    this.open.set(head.id, { head, view, sig: '' });
    this.byKey.set(key, head.id);
    // Reserve the number now: the row is rewritten with the full view when the incident's 'opened' event is produced.
    this.ctx.store.saveIncident(n, view, now);
    return head.id;
  }

  /** Rebuilds an incident from its live alerts; an event when something worth one changed. */
  refresh(pass: Pass, inc: OpenIncident, live: Iterable<Tracker>, now: number): void {
    const liveViews = [...live].map((t) => this.views.alertView(t));
    const liveFps = new Set(liveViews.map((a) => a.fingerprint));
    // Alerts that left (resolved) stay listed as resolved until the incident closes; alerts moved to another incident do not.
    const departed = inc.view.alerts
      .filter((a) => !liveFps.has(a.fingerprint))
      .filter((a) => { const tr = this.trackers.get(a.fingerprint); return !tr || tr.incidentId === undefined; })
      .map((a) => (a.state === 'resolved' ? a : { ...a, state: 'resolved' as const, endsAt: new Date(this.trackers.get(a.fingerprint)?.endsAt ?? now) }));
    const isNew = inc.sig === '';
    if (liveViews.length === 0) {
      if (isNew) {
        // Reserved for an alert that went elsewhere in the same pass: nothing was announced, drop it.
        this.open.delete(inc.head.id);
        this.byKey.delete(inc.head.key);
        this.ctx.store.deleteIncident(inc.head.id);
        return;
      }
      inc.head.state = 'resolved';
      inc.head.resolvedAt = new Date(now);
      this.close(pass, inc, buildIncidentView(inc.head, departed, this.ctx.locale, inc.view), now, 'resolved');
      return;
    }
    const view = buildIncidentView(inc.head, [...liveViews, ...departed], this.ctx.locale, inc.view);
    const sig = incidentSignature(view);
    if (sig === inc.sig) { inc.view = view; return; }
    const kind: IncidentEventKind = isNew ? 'opened' : view.muted !== inc.view.muted ? (view.muted ? 'muted' : 'unmuted') : 'updated';
    inc.view = view;
    inc.sig = sig;
    this.ctx.store.saveIncident(inc.head.n, view, now);
    pass.events.push(this.ctx.store.appendEvent(kind, now, view));
  }

  private close(pass: Pass, inc: OpenIncident, view: IncidentView, now: number, kind: IncidentEventKind, by?: string, note?: string): void {
    this.open.delete(inc.head.id);
    if (this.byKey.get(inc.head.key) === inc.head.id) this.byKey.delete(inc.head.key);
    this.ctx.store.saveIncident(inc.head.n, view, now);
    pass.events.push(this.ctx.store.appendEvent(kind, now, view, by, note));
  }

  private headChange(pass: Pass, inc: OpenIncident, now: number, kind: IncidentEventKind, by: string, note?: string): void {
    inc.view = { ...buildIncidentView(inc.head, inc.view.alerts, this.ctx.locale, inc.view) };
    this.ctx.store.saveIncident(inc.head.n, inc.view, now);
    pass.events.push(this.ctx.store.appendEvent(kind, now, inc.view, by, note));
  }

  acknowledge(pass: Pass, inc: OpenIncident, now: number, by: string, note?: string): void {
    if (inc.head.state !== 'open') return;
    inc.head.state = 'acknowledged';
    inc.head.acknowledgedAt = new Date(now);
    inc.head.acknowledgedBy = by;
    this.headChange(pass, inc, now, 'acknowledged', by, note);
    const lead: AlertView | undefined = inc.view.alerts[0];
    if (lead) pass.alerts.push({ fp: lead.fingerprint, state: 'acknowledged', at: now, view: lead, incident: inc.head.id });
  }

  unacknowledge(pass: Pass, inc: OpenIncident, now: number, by: string): void {
    if (inc.head.state !== 'acknowledged') return;
    inc.head.state = 'open';
    delete inc.head.acknowledgedAt;
    delete inc.head.acknowledgedBy;
    this.headChange(pass, inc, now, 'unacknowledged', by);
  }

  /** Resolved by hand while alerts still fire (Zabbix "close problem"): they stay out until they resolve and fire again. */
  resolve(pass: Pass, inc: OpenIncident, now: number, by: string, note?: string): void {
    for (const tr of [...this.trackers.members(inc.head.id)]) {
      if (tr.state === 'firing') tr.closed = true;
      tr.flapping = false;
      tr.mutedBy = undefined;
      pass.mark(tr);
      this.trackers.setIncident(tr, undefined);
    }
    inc.head.state = 'resolved';
    inc.head.resolvedAt = new Date(now);
    this.close(pass, inc, buildIncidentView(inc.head, inc.view.alerts, this.ctx.locale, inc.view), now, 'resolved', by, note);
  }

  comment(pass: Pass, view: IncidentView, now: number, by: string, note: string): void {
    pass.events.push(this.ctx.store.appendEvent('commented', now, view, by, note));
  }
}
