import { groupKey } from '../incidents.js';
import type { CompiledWindow, MaintenanceBook } from '../maintenance.js';
import { flappingMuter } from '../mute/flapping.js';
import { maintenanceMuter } from '../mute/maintenance.js';
import { firstMute, type Muter, type MuteReason } from '../mute/muter.js';
import { parentMuter, type DownState } from '../mute/parent.js';
import type { EngineContext, Pass } from './context.js';
import type { IncidentBook } from './incident-book.js';
import type { Tracker, TrackerTable } from './trackers.js';
import type { AlertViews } from './views.js';

function sameDown(a: ReadonlyMap<string, DownState>, b: ReadonlyMap<string, DownState>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

/**
 * The grouping stage: the mute stage (maintenance, parent down, flapping) and the grouping of published alerts
 * into incidents, children behind a down parent joining the parent's incident. A pass regroups only the alerts
 * that changed in it, unless what every alert's grouping depends on moved (a device went down or came back, a
 * maintenance window opened or closed) or the pass asks for all (ticks, reloads, operators' actions).
 */
export class Grouping {
  private readonly muters: Muter[];
  private downState = new Map<string, DownState>();
  /** Alerts held out of any incident while their parent is only pending. */
  private readonly held = new Set<Tracker>();
  private maintenanceSig = '';
  /** The rules changed: the next pass regroups every alert, whatever it is. */
  private stale = false;
  private readonly windowStatus = new WeakMap<CompiledWindow, { from: number; until: number; sig: string }>();

  constructor(
    private readonly ctx: EngineContext,
    private readonly trackers: TrackerTable,
    private readonly incidents: IncidentBook,
    private readonly views: AlertViews,
    private readonly book: MaintenanceBook,
  ) {
    const flapping = () => this.ctx.rules.rules.flapping;
    this.muters = [
      maintenanceMuter(() => this.book.all()),
      parentMuter((n) => this.ctx.devices.get(n), (d) => this.downState.get(d)),
      flappingMuter(() => `more than ${flapping().changes} changes in ${Math.round(flapping().window / 60_000)} min`),
    ];
  }

  /** After a reload of the rules (grouping labels, muting, deviceDown may have changed). */
  rulesChanged(): void { this.stale = true; }

  private published(tr: Tracker): boolean {
    if (tr.closed) return false;
    return tr.state === 'firing' || (tr.flapping && tr.incidentId !== undefined);
  }

  /** Which maintenance windows are open now, and until when. */
  private maintenanceNow(now: number): string {
    let sig = '';
    for (const w of this.book.all()) {
      // A window's status holds until its next start or end: no cron arithmetic on every batch.
      let known = this.windowStatus.get(w);
      if (!known || now < known.from || now >= known.until) {
        const st = w.status(now);
        const edge = st.active ? st.end?.getTime() : st.start && st.start.getTime() > now ? st.start.getTime() : undefined;
        known = { from: now, until: edge ?? now + 1, sig: st.active ? `${w.window.id}@${st.end?.getTime() ?? ''};` : '' };
        this.windowStatus.set(w, known);
      }
      sig += known.sig;
    }
    return sig;
  }

  /** Applies the mute stage and the grouping to the alerts that count, then turns incident changes into events. */
  reconcile(pass: Pass, now: number): void {
    const down = new Map<string, DownState>();
    for (const tr of this.trackers.down) if (down.get(tr.device) !== 'firing') down.set(tr.device, tr.state as DownState);
    const maintenance = this.maintenanceNow(now);
    const all = pass.allTrackers || this.stale || !sameDown(down, this.downState) || maintenance !== this.maintenanceSig;
    this.stale = false;
    this.downState = down;
    this.maintenanceSig = maintenance;
    if (all) this.held.clear();
    const candidates = all ? [...this.trackers.hot] : [...pass.changed].filter((tr) => this.trackers.hot.has(tr)).sort((a, b) => a.hotSeq - b.hotSeq);
    this.assignAll(pass, candidates, now);
    // Only incidents whose alerts changed are rebuilt on a sample batch; every tick rebuilds all (time-driven muting).
    // Either way in the order they were opened, so events of one pass keep their order.
    const list = pass.allIncidents ? this.incidents.all()
      : [...pass.touched].flatMap((id) => this.incidents.get(id) ?? []).sort((a, b) => a.head.n - b.head.n);
    for (const inc of list) {
      if (this.incidents.get(inc.head.id) === inc) this.incidents.refresh(pass, inc, this.trackers.members(inc.head.id), now);
    }
  }

  private assignAll(pass: Pass, candidates: readonly Tracker[], now: number): void {
    const own: Tracker[] = [];
    const behind: { tr: Tracker; reason: MuteReason }[] = [];
    for (const tr of candidates) {
      this.held.delete(tr);
      const rule = this.ctx.rules.get(tr.rule);
      if (!rule || !this.published(tr)) {
        if (tr.incidentId !== undefined) { pass.touched.add(tr.incidentId); tr.mutedBy = undefined; pass.mark(tr); this.trackers.setIncident(tr, undefined); }
        continue;
      }
      const reason = firstMute(this.muters, { rule, device: this.ctx.devices.of(tr.device, tr.tags), instance: tr.instance, flapping: tr.flapping }, now);
      const mutedBy = reason && { kind: reason.kind, detail: reason.detail };
      if (mutedBy?.kind !== tr.mutedBy?.kind || mutedBy?.detail !== tr.mutedBy?.detail) { tr.mutedBy = mutedBy; pass.mark(tr); }
      if (reason?.kind === 'parent') behind.push({ tr, reason }); else own.push(tr);
    }
    for (const tr of own) this.assign(pass, tr, this.ownIncident(tr, now), now);
    // Held while the parent is only pending: if it fires the child joins its incident, if not the child pages on its own.
    for (const { tr, reason } of behind) if (reason.pendingOnly) { this.held.add(tr); this.assign(pass, tr, undefined, now); }
    for (const { tr, reason } of behind) {
      if (reason.pendingOnly) continue;
      const rootAlerts = [...this.trackers.down].filter((x) => x.device === reason.root && x.state === 'firing').sort((a, b) => a.hotSeq - b.hotSeq);
      const joined = rootAlerts.find((x) => x.incidentId !== undefined);
      // The root itself waits on a pending ancestor: its children wait with it.
      if (!joined && rootAlerts.some((x) => this.held.has(x))) { this.assign(pass, tr, undefined, now); continue; }
      this.assign(pass, tr, joined?.incidentId ?? this.ownIncident(tr, now), now);
    }
  }

  private assign(pass: Pass, tr: Tracker, id: string | undefined, now: number): void {
    if (tr.incidentId === id) return;
    if (tr.incidentId !== undefined) pass.touched.add(tr.incidentId);
    this.trackers.setIncident(tr, id);
    if (tr.logId !== undefined) {
      this.ctx.store.updateAlertLog(tr.logId, { severity: tr.severity, state: 'firing', startsAt: tr.firedAt ?? now, incidentId: id, data: JSON.stringify(this.views.alertView(tr)) });
    }
    pass.mark(tr);
  }

  private ownIncident(tr: Tracker, now: number): string {
    const rule = this.ctx.rules.get(tr.rule)!;
    const key = groupKey(rule.spec.groupBy ?? this.ctx.rules.rules.groupBy, this.views.labels(tr, rule));
    return this.incidents.forKey(key, now);
  }
}
