import type { Evaluation } from '../conditions.js';
import type { CompiledRule } from '../rules.js';
import type { EngineContext, Pass } from './context.js';
import type { LatestTable } from './latest.js';
import type { Tracker, TrackerTable } from './trackers.js';
import type { AlertViews } from './views.js';

/**
 * The per-alert state machine: inactive → pending → firing → inactive, with `for`, `consecutive`, `clearFor`
 * (hysteresis), no data and flapping. Each transition goes to the alert log and the pass's alert events.
 */
export class AlertStateMachine {
  constructor(
    private readonly ctx: EngineContext,
    private readonly trackers: TrackerTable,
    private readonly latest: LatestTable,
    private readonly views: AlertViews,
  ) {}

  /** Applies one evaluation of the condition (`e`) and of the clear condition (`ce`) at time `t`. */
  step(pass: Pass, tr: Tracker, rule: CompiledRule, e: Evaluation | undefined, ce: Evaluation | undefined, t: number): void {
    if (e) {
      tr.lastActive = e.active;
      if (e.value !== undefined) tr.value = e.value;
      if (e.threshold !== undefined) tr.threshold = e.threshold;
    }
    if (tr.state === 'firing') {
      // With a clear condition only it resolves the alert; between the two thresholds the alert stays (hysteresis).
      const clearing = rule.clear ? ce?.active : e ? !e.active : undefined;
      if (clearing === true) {
        if (tr.clearSince === undefined) { tr.clearSince = t; pass.mark(tr); }
        if (t - tr.clearSince >= rule.spec.clearFor) this.resolve(pass, tr, t);
      } else if (clearing === false && tr.clearSince !== undefined) {
        tr.clearSince = undefined;
        pass.mark(tr);
      }
      return;
    }
    if (!e) return;
    if (e.active) {
      if (tr.state === 'inactive') {
        tr.state = 'pending';
        tr.activeSince = t;
        tr.consecutive = 1;
        tr.severity = rule.severityFor(this.ctx.devices.of(tr.device, tr.tags));
        if (!this.ready(tr, rule, t)) this.recordPending(pass, tr, t);
        pass.mark(tr);
      } else if (++tr.consecutive <= rule.spec.consecutive) {
        // Past the count the rule asks for, counting on changes nothing that must survive a restart.
        pass.mark(tr);
      }
      if (this.ready(tr, rule, t)) this.fire(pass, tr, t);
    } else if (tr.state === 'pending') {
      this.cancelPending(pass, tr);
    }
  }

  private fresh(tr: Tracker, rule: CompiledRule, now: number): boolean {
    // Time-driven kinds have no samples to wait for; with noData "fire", silence itself is the condition.
    if (rule.condition.onTick || rule.spec.noData.action === 'fire') return true;
    return tr.lastSampleAt !== undefined && now - tr.lastSampleAt < rule.spec.noData.after;
  }

  /** A pending alert whose `for` and `consecutive` are met on fresh data. */
  ready(tr: Tracker, rule: CompiledRule, now: number): boolean {
    return tr.state === 'pending' && tr.lastActive && tr.consecutive >= rule.spec.consecutive &&
      now - (tr.activeSince ?? now) >= rule.spec.for && this.fresh(tr, rule, now);
  }

  private recordPending(pass: Pass, tr: Tracker, t: number): void {
    const view = this.views.alertView(tr);
    tr.logId = this.ctx.store.insertAlertLog({
      fingerprint: tr.fingerprint, rule: tr.rule, device: tr.device, site: view.labels.site ?? '', instance: tr.instance,
      severity: tr.severity, state: 'pending', startsAt: t, data: JSON.stringify(view),
    });
    pass.alerts.push({ fp: tr.fingerprint, state: 'pending', at: t, view });
    this.trackers.updateHot(tr);
  }

  cancelPending(pass: Pass, tr: Tracker): void {
    if (tr.logId !== undefined) this.ctx.store.deleteAlertLog(tr.logId);
    tr.logId = undefined;
    tr.state = 'inactive';
    tr.activeSince = undefined;
    tr.consecutive = 0;
    pass.mark(tr);
    this.trackers.updateHot(tr);
  }

  fire(pass: Pass, tr: Tracker, t: number): void {
    tr.state = 'firing';
    tr.firedAt = t;
    tr.endsAt = undefined;
    tr.clearSince = undefined;
    tr.closed = false;
    this.recordChange(tr, t);
    const view = this.views.alertView(tr);
    const row = { severity: tr.severity, state: 'firing' as const, startsAt: t, data: JSON.stringify(view) };
    if (tr.logId !== undefined) this.ctx.store.updateAlertLog(tr.logId, row);
    else tr.logId = this.ctx.store.insertAlertLog({ fingerprint: tr.fingerprint, rule: tr.rule, device: tr.device, site: view.labels.site ?? '', instance: tr.instance, ...row });
    pass.alerts.push({ fp: tr.fingerprint, state: 'firing', at: t, view });
    pass.mark(tr);
    this.trackers.updateHot(tr);
  }

  resolve(pass: Pass, tr: Tracker, t: number): void {
    tr.state = 'inactive';
    tr.endsAt = t;
    tr.activeSince = undefined;
    tr.consecutive = 0;
    tr.clearSince = undefined;
    tr.closed = false;
    this.recordChange(tr, t);
    const view = this.views.alertView(tr);
    if (tr.logId !== undefined) {
      this.ctx.store.updateAlertLog(tr.logId, { severity: tr.severity, state: 'resolved', startsAt: tr.firedAt ?? t, endsAt: t, incidentId: tr.incidentId, data: JSON.stringify(view) });
    }
    tr.logId = undefined;
    pass.alerts.push({ fp: tr.fingerprint, state: 'resolved', at: t, view, ...(tr.incidentId !== undefined ? { incident: tr.incidentId } : {}) });
    pass.mark(tr);
    this.trackers.updateHot(tr);
  }

  private recordChange(tr: Tracker, t: number): void {
    const { changes, window } = this.ctx.rules.rules.flapping;
    tr.changes = [...tr.changes.filter((c) => c > t - window), t];
    if (!tr.flapping && tr.changes.length > changes) {
      tr.flapping = true;
      this.ctx.log.info({ rule: tr.rule, device: tr.device, instance: tr.instance }, 'alert is flapping: notices held until stable');
    }
  }

  /** Resolves and forgets a tracker whose rule or device is gone. */
  retire(pass: Pass, tr: Tracker, now: number): void {
    if (tr.incidentId !== undefined) pass.touched.add(tr.incidentId);
    if (tr.state === 'firing') this.resolve(pass, tr, now);
    else if (tr.state === 'pending') this.cancelPending(pass, tr);
    this.drop(pass, tr);
  }

  /** Forgets a tracker that is not firing and in no incident (its instance went away); a pending alert is cancelled. */
  forget(pass: Pass, tr: Tracker): void {
    if (tr.state === 'pending') this.cancelPending(pass, tr);
    this.drop(pass, tr);
  }

  private drop(pass: Pass, tr: Tracker): void {
    this.trackers.delete(tr);
    this.latest.forget(tr);
    pass.changed.delete(tr);
    pass.removed.add(tr);
  }
}
