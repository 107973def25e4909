import { createHash } from 'node:crypto';
import type { Sink } from '../core/bus.js';
import { systemClock, type Clock } from '../core/clock.js';
import type { Db } from '../core/database.js';
import type {
  AlertState, AlertView, IncidentActions, IncidentEvent, IncidentEventKind, IncidentListener, IncidentState, IncidentView, Severity,
} from '../core/incident.js';
import type { Logger } from '../core/log.js';
import type { Sample } from '../core/sample.js';
import type { Device } from '../config/inventory-schema.js';
import type { Evaluation, LatestLookup, SeriesState } from './conditions.js';
import { buildIncidentView, groupKey, incidentSignature, type IncidentHead, type Locale } from './incidents.js';
import { MaintenanceBook, type MaintenanceWindow, type WindowStatus } from './maintenance.js';
import { flappingMuter } from './mute/flapping.js';
import { maintenanceMuter } from './mute/maintenance.js';
import { firstMute, type Muter, type MuteReason } from './mute/muter.js';
import { parentMuter, type DownState } from './mute/parent.js';
import type { MaintenanceInput } from './rules-schema.js';
import type { AlertRules, CompiledRule, DeviceInfo } from './rules.js';
import { AlertStore, reviveJson, type ListFilter } from './store.js';
import { renderTemplate } from './templates.js';

/** What the integrator passes to {@link createAlertEngine}. */
export interface AlertEngineOptions {
  db: Db;
  rules: AlertRules;
  devices: Device[];
  clock?: Clock;
  log: Logger;
  listeners?: IncidentListener[];
  /** Receives `alert_event` samples (docs/SCHEMA.md) to write to InfluxDB for Grafana annotations. */
  onAlertEvents?: (samples: Sample[]) => void;
  locale?: Locale;
}

/** One incident with everything that happened to it, for the API. */
export interface IncidentDetail { incident: IncidentView; timeline: IncidentEvent[] }

/** The alert engine: a bus sink, the incident actions, the queries and the maintenance API. */
export interface AlertEngine extends Sink, IncidentActions {
  /** Starts the timer loop (for, clearFor, absence, no data, maintenance, flapping). */
  start(): void;
  /** Stops the loop, saves what is not saved yet and waits for listeners to take every event. */
  stop(): Promise<void>;
  /** Evaluates the timers now (the loop calls this every `evaluationInterval`). */
  tick(): void;
  /** Replaces the inventory (reload); alerts of removed devices resolve. */
  setDevices(devices: Device[]): void;
  /** Replaces the rules (reload); alerts of removed rules resolve at the next tick. */
  setRules(rules: AlertRules): void;
  addListener(listener: IncidentListener): void;
  /** Resolves when every event produced so far has been handed to the listeners. */
  settled(): Promise<void>;
  listIncidents(filter?: ListFilter<IncidentState>): { total: number; items: IncidentView[] };
  getIncident(id: string): IncidentDetail | undefined;
  listAlerts(filter?: ListFilter<AlertState>): { total: number; items: AlertView[] };
  /** Pending and firing alerts now. */
  activeAlerts(): AlertView[];
  maintenance: {
    list(): (MaintenanceWindow & WindowStatus)[];
    get(id: string): (MaintenanceWindow & WindowStatus) | undefined;
    /** Throws MaintenanceInvalidError naming each bad field. */
    create(input: MaintenanceInput | unknown, by?: string): MaintenanceWindow;
    update(id: string, input: MaintenanceInput | unknown): MaintenanceWindow | undefined;
    delete(id: string): boolean;
  };
}

type Value = number | string | boolean;

/** One rule on one instance: its state, timers and condition memory. Persisted as JSON. */
interface Tracker {
  fingerprint: string;
  rule: string;
  device: string;
  instance: string;
  measurement: string;
  tags: Record<string, string>;
  state: 'inactive' | 'pending' | 'firing';
  series: SeriesState;
  clearSeries: SeriesState;
  activeSince?: number;
  consecutive: number;
  lastActive: boolean;
  firedAt?: number;
  endsAt?: number;
  clearSince?: number;
  lastSampleAt?: number;
  value?: Value;
  threshold?: Value;
  severity: Severity;
  /** Times of firing/resolved changes within the flapping window. */
  changes: number[];
  flapping: boolean;
  incidentId?: string;
  /** The incident was resolved by hand while this alert still fired: keep it out until it resolves. */
  closed?: boolean;
  logId?: number;
  mutedBy?: { kind: MuteReason['kind']; detail: string };
}

interface OpenIncident { head: IncidentHead; view: IncidentView; sig: string }

const SOFT_FLUSH_MS = 60_000;

/** The fingerprint of an alert: rule + device + instance. */
export function alertFingerprint(rule: string, device: string, instance: string): string {
  return createHash('sha256').update(`${rule}\u0000${device}\u0000${instance}`).digest('hex').slice(0, 16);
}

function deviceInfo(d: Device): DeviceInfo {
  return { name: d.name, site: d.site, class: d.class, tags: d.tags, ...(d.parent !== undefined ? { parent: d.parent } : {}) };
}

class Engine implements AlertEngine {
  readonly name = 'alerting';
  private readonly store: AlertStore;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly locale: Locale;
  private readonly listeners: IncidentListener[];
  private rules!: AlertRules;
  private ruleByName = new Map<string, CompiledRule>();
  private rulesByMeasurement = new Map<string, CompiledRule[]>();
  private devices = new Map<string, DeviceInfo>();
  private enabledDevices = new Set<string>();
  private readonly trackers = new Map<string, Tracker>();
  /** Trackers that take part in incidents: not inactive, in an incident, or flapping. */
  private readonly hot = new Set<string>();
  private readonly incidents = new Map<string, OpenIncident>();
  private readonly openByKey = new Map<string, string>();
  private readonly latest = new Map<string, Map<string, { fields: Sample['fields']; time: number }>>();
  private readonly book: MaintenanceBook;
  private readonly muters: Muter[];
  private dirty = new Set<string>();
  private soft = new Set<string>();
  private removed = new Set<string>();
  private lastSoftFlush = 0;
  /** When devices were first known, the baseline of absence timers for devices never heard from. */
  private readonly knownSince = new Map<string, number>();
  private outEvents: IncidentEvent[] = [];
  private outAlerts: { fp: string; state: 'pending' | 'firing' | 'resolved' | 'acknowledged'; at: number; view: AlertView; incident?: string }[] = [];
  private queue: Promise<void> = Promise.resolve();
  private timer?: { cancel(): void };
  private readonly latestLookup: LatestLookup = (device, measurement) => this.latest.get(device)?.get(measurement);

  constructor(private readonly opts: AlertEngineOptions) {
    this.store = new AlertStore(opts.db);
    this.clock = opts.clock ?? systemClock;
    this.log = opts.log;
    this.locale = opts.locale ?? 'en';
    this.listeners = [...(opts.listeners ?? [])];
    this.book = new MaintenanceBook(this.store, () => this.clock.ms());
    this.muters = [
      maintenanceMuter(() => this.book.all()),
      parentMuter((n) => this.devices.get(n), (d) => this.downState.get(d)),
      flappingMuter(() => `more than ${this.rules.flapping.changes} changes in ${Math.round(this.rules.flapping.window / 60_000)} min`),
    ];
    this.setRules(opts.rules);
    this.setDevicesInner(opts.devices);
    for (const row of this.store.loadTrackers()) {
      const t = JSON.parse(row.data) as Tracker;
      this.trackers.set(t.fingerprint, t);
      this.updateHot(t);
    }
    for (const { n, view } of this.store.loadOpenIncidents()) {
      const head: IncidentHead = {
        id: view.id, n, key: view.key, state: view.state, openedAt: view.openedAt,
        ...(view.acknowledgedAt ? { acknowledgedAt: view.acknowledgedAt, acknowledgedBy: view.acknowledgedBy } : {}),
      };
      this.incidents.set(view.id, { head, view, sig: incidentSignature(view) });
      this.openByKey.set(view.key, view.id);
    }
    // Events persisted but not yet handed over when the process stopped are delivered now, and only those.
    this.deliver(this.store.undeliveredEvents());
  }

  // ---- configuration -------------------------------------------------------------------------

  setRules(rules: AlertRules): void {
    this.rules = rules;
    this.ruleByName = new Map(rules.rules.map((r) => [r.name, r]));
    this.rulesByMeasurement = new Map();
    for (const r of rules.rules) {
      const list = this.rulesByMeasurement.get(r.spec.select.measurement) ?? [];
      list.push(r);
      this.rulesByMeasurement.set(r.spec.select.measurement, list);
    }
    this.book.setConfig(rules.maintenance);
  }

  setDevices(devices: Device[]): void {
    this.run(() => {
      const before = new Set(this.devices.keys());
      this.setDevicesInner(devices);
      const now = this.clock.ms();
      for (const t of [...this.trackers.values()]) {
        if (before.has(t.device) && !this.devices.has(t.device)) this.retire(t, now);
      }
    });
  }

  private setDevicesInner(devices: Device[]): void {
    const now = this.clock.ms();
    this.devices = new Map(devices.map((d) => [d.name, deviceInfo(d)]));
    this.enabledDevices = new Set(devices.filter((d) => d.enabled).map((d) => d.name));
    for (const d of devices) if (!this.knownSince.has(d.name)) this.knownSince.set(d.name, now);
  }

  addListener(listener: IncidentListener): void { this.listeners.push(listener); }

  private deviceOf(name: string, tags: Record<string, string> = {}): DeviceInfo {
    return this.devices.get(name) ?? { name, site: tags.site ?? 'default', class: tags.class ?? 'other', tags: [] };
  }

  // ---- the sink ------------------------------------------------------------------------------

  async write(batch: readonly Sample[]): Promise<void> {
    this.run(() => {
      // Guards read other measurements' latest samples: take the whole batch in first.
      for (const s of batch) {
        const dev = s.tags.device;
        if (!dev) continue;
        let m = this.latest.get(dev);
        if (!m) { m = new Map(); this.latest.set(dev, m); }
        m.set(s.measurement, { fields: s.fields, time: s.time.getTime() });
      }
      for (const s of batch) this.evaluateSample(s);
    });
  }

  async close(): Promise<void> { await this.stop(); }

  private evaluateSample(s: Sample): void {
    const rules = this.rulesByMeasurement.get(s.measurement);
    const devName = s.tags.device;
    if (!rules || !devName) return;
    const device = this.deviceOf(devName, s.tags);
    const t = s.time.getTime();
    for (const rule of rules) {
      if (!rule.selectsSample(s, device)) continue;
      const instance = rule.instanceOf(s);
      const tr = this.tracker(rule, device, instance, s.measurement, s.tags);
      tr.tags = s.tags;
      tr.lastSampleAt = t;
      const e = rule.condition.onSample(s, tr.series, this.latestLookup);
      const ce = rule.clear?.onSample(s, tr.clearSeries, this.latestLookup);
      if (tr.state !== 'inactive' || rule.condition.kind !== 'threshold' || rule.clear) this.markSoft(tr);
      this.step(tr, rule, e, ce, t);
    }
  }

  private tracker(rule: CompiledRule, device: DeviceInfo, instance: string, measurement: string, tags: Record<string, string>): Tracker {
    const fp = alertFingerprint(rule.name, device.name, instance);
    let tr = this.trackers.get(fp);
    if (!tr) {
      tr = {
        fingerprint: fp, rule: rule.name, device: device.name, instance, measurement, tags,
        state: 'inactive', series: {}, clearSeries: {}, consecutive: 0, lastActive: false,
        severity: rule.severityFor(device), changes: [], flapping: false,
      };
      this.trackers.set(fp, tr);
      this.removed.delete(fp);
    }
    return tr;
  }

  // ---- the alert state machine ---------------------------------------------------------------

  private step(tr: Tracker, rule: CompiledRule, e: Evaluation | undefined, ce: Evaluation | undefined, t: number): void {
    if (e) {
      tr.lastActive = e.active;
      if (e.value !== undefined) tr.value = e.value;
      if (e.threshold !== undefined) tr.threshold = e.threshold;
    }
    if (tr.state === 'firing') {
      // With a clear condition only it resolves the alert; between the two thresholds the alert stays (hysteresis).
      const clearing = rule.clear ? ce?.active : e ? !e.active : undefined;
      if (clearing === true) {
        if (tr.clearSince === undefined) { tr.clearSince = t; this.markHard(tr); }
        if (t - tr.clearSince >= rule.spec.clearFor) this.resolveAlert(tr, t);
      } else if (clearing === false && tr.clearSince !== undefined) {
        tr.clearSince = undefined;
        this.markHard(tr);
      }
      return;
    }
    if (!e) return;
    if (e.active) {
      if (tr.state === 'inactive') {
        tr.state = 'pending';
        tr.activeSince = t;
        tr.consecutive = 1;
        tr.severity = rule.severityFor(this.deviceOf(tr.device, tr.tags));
        if (!this.ready(tr, rule, t)) this.recordPending(tr, t);
      } else {
        tr.consecutive++;
      }
      this.markHard(tr);
      if (this.ready(tr, rule, t)) this.fire(tr, t);
    } else if (tr.state === 'pending') {
      this.cancelPending(tr);
    }
  }

  private fresh(tr: Tracker, rule: CompiledRule, now: number): boolean {
    // Time-driven kinds have no samples to wait for; with noData "fire", silence itself is the condition.
    if (rule.condition.onTick || rule.spec.noData.action === 'fire') return true;
    return tr.lastSampleAt !== undefined && now - tr.lastSampleAt < rule.spec.noData.after;
  }

  private ready(tr: Tracker, rule: CompiledRule, now: number): boolean {
    return tr.state === 'pending' && tr.lastActive && tr.consecutive >= rule.spec.consecutive &&
      now - (tr.activeSince ?? now) >= rule.spec.for && this.fresh(tr, rule, now);
  }

  private recordPending(tr: Tracker, t: number): void {
    const view = this.alertView(tr);
    tr.logId = this.store.insertAlertLog({
      fingerprint: tr.fingerprint, rule: tr.rule, device: tr.device, site: view.labels.site ?? '', instance: tr.instance,
      severity: tr.severity, state: 'pending', startsAt: t, data: JSON.stringify(view),
    });
    this.outAlerts.push({ fp: tr.fingerprint, state: 'pending', at: t, view });
    this.updateHot(tr);
  }

  private cancelPending(tr: Tracker): void {
    if (tr.logId !== undefined) this.store.deleteAlertLog(tr.logId);
    tr.logId = undefined;
    tr.state = 'inactive';
    tr.activeSince = undefined;
    tr.consecutive = 0;
    this.markHard(tr);
    this.updateHot(tr);
  }

  private fire(tr: Tracker, t: number): void {
    tr.state = 'firing';
    tr.firedAt = t;
    tr.endsAt = undefined;
    tr.clearSince = undefined;
    tr.closed = false;
    this.recordChange(tr, t);
    const view = this.alertView(tr);
    const row = { severity: tr.severity, state: 'firing' as const, startsAt: t, data: JSON.stringify(view) };
    if (tr.logId !== undefined) this.store.updateAlertLog(tr.logId, row);
    else tr.logId = this.store.insertAlertLog({ fingerprint: tr.fingerprint, rule: tr.rule, device: tr.device, site: view.labels.site ?? '', instance: tr.instance, ...row });
    this.outAlerts.push({ fp: tr.fingerprint, state: 'firing', at: t, view });
    this.markHard(tr);
    this.updateHot(tr);
  }

  private resolveAlert(tr: Tracker, t: number): void {
    tr.state = 'inactive';
    tr.endsAt = t;
    tr.activeSince = undefined;
    tr.consecutive = 0;
    tr.clearSince = undefined;
    tr.closed = false;
    this.recordChange(tr, t);
    const view = this.alertView(tr);
    if (tr.logId !== undefined) {
      this.store.updateAlertLog(tr.logId, { severity: tr.severity, state: 'resolved', startsAt: tr.firedAt ?? t, endsAt: t, incidentId: tr.incidentId, data: JSON.stringify(view) });
    }
    tr.logId = undefined;
    this.outAlerts.push({ fp: tr.fingerprint, state: 'resolved', at: t, view, ...(tr.incidentId !== undefined ? { incident: tr.incidentId } : {}) });
    this.markHard(tr);
    this.updateHot(tr);
  }

  private recordChange(tr: Tracker, t: number): void {
    const { changes, window } = this.rules.flapping;
    tr.changes = [...tr.changes.filter((c) => c > t - window), t];
    if (!tr.flapping && tr.changes.length > changes) {
      tr.flapping = true;
      this.log.info({ rule: tr.rule, device: tr.device, instance: tr.instance }, 'alert is flapping: notices held until stable');
    }
  }

  /** Resolves and forgets a tracker whose rule or device is gone. */
  private retire(tr: Tracker, now: number): void {
    if (tr.incidentId !== undefined) this.touched.add(tr.incidentId);
    if (tr.state === 'firing') this.resolveAlert(tr, now);
    else if (tr.state === 'pending') this.cancelPending(tr);
    this.trackers.delete(tr.fingerprint);
    this.hot.delete(tr.fingerprint);
    this.dirty.delete(tr.fingerprint);
    this.soft.delete(tr.fingerprint);
    this.removed.add(tr.fingerprint);
  }

  // ---- timers --------------------------------------------------------------------------------

  tick(): void {
    this.run(() => { this.refreshAll = true; this.evaluateTimers(this.clock.ms()); });
  }

  private evaluateTimers(now: number): void {
    this.ensureAbsenceTrackers(now);
    for (const tr of [...this.trackers.values()]) {
      const rule = this.ruleByName.get(tr.rule);
      if (!rule) { this.retire(tr, now); continue; }
      const e = rule.condition.onTick?.(tr.series, now, tr.device, this.latestLookup);
      const ce = rule.clear?.onTick?.(tr.clearSeries, now, tr.device, this.latestLookup);
      if (e || ce) this.step(tr, rule, e, ce, now);
      if (!rule.condition.onTick && tr.lastSampleAt !== undefined && now - tr.lastSampleAt >= rule.spec.noData.after) {
        const action = rule.spec.noData.action;
        if (action === 'resolve') {
          if (tr.state === 'firing') this.resolveAlert(tr, now);
          else if (tr.state === 'pending') this.cancelPending(tr);
        } else if (action === 'fire' && tr.state !== 'firing') {
          tr.value = 'no data';
          this.step(tr, rule, { active: true, value: 'no data' }, undefined, now);
        }
      }
      if (this.ready(tr, rule, now)) this.fire(tr, now);
      if (tr.state === 'firing' && tr.clearSince !== undefined && now - tr.clearSince >= rule.spec.clearFor) this.resolveAlert(tr, now);
      if (tr.flapping && now - (tr.changes[tr.changes.length - 1] ?? 0) >= this.rules.flapping.stableFor) {
        tr.flapping = false;
        tr.changes = [];
        this.log.info({ rule: tr.rule, device: tr.device, instance: tr.instance }, 'alert is stable again');
        this.markHard(tr);
        this.updateHot(tr);
      }
    }
    if (now - this.lastSoftFlush >= SOFT_FLUSH_MS) this.flush(true);
  }

  /** Device-level absence rules watch every selected device, including ones never heard from. */
  private ensureAbsenceTrackers(now: number): void {
    for (const rule of this.rules.rules) {
      if (rule.condition.kind !== 'absence' || !rule.deviceLevel) continue;
      for (const name of this.enabledDevices) {
        const d = this.devices.get(name)!;
        if (!rule.selectsDevice(d)) continue;
        const tr = this.tracker(rule, d, '', rule.spec.select.measurement, { device: d.name, site: d.site, class: d.class });
        if (tr.series.lastSeen === undefined) { tr.series.lastSeen = this.knownSince.get(name) ?? now; this.markHard(tr); }
      }
    }
  }

  // ---- incidents -----------------------------------------------------------------------------

  private downState = new Map<string, DownState>();
  /** Incidents whose alerts changed in this pass. */
  private readonly touched = new Set<string>();
  private refreshAll = false;

  private published(tr: Tracker): boolean {
    if (tr.closed) return false;
    return tr.state === 'firing' || (tr.flapping && tr.incidentId !== undefined);
  }

  /** Applies the mute stage and the grouping to every alert that counts, then turns incident changes into events. */
  private reconcile(now: number): void {
    this.downState = new Map();
    for (const fp of this.hot) {
      const tr = this.trackers.get(fp)!;
      if (tr.state === 'inactive' || !this.ruleByName.get(tr.rule)?.spec.deviceDown) continue;
      if (this.downState.get(tr.device) !== 'firing') this.downState.set(tr.device, tr.state);
    }
    const own: Tracker[] = [];
    const behind: { tr: Tracker; reason: MuteReason }[] = [];
    for (const fp of [...this.hot]) {
      const tr = this.trackers.get(fp)!;
      const rule = this.ruleByName.get(tr.rule);
      if (!rule || !this.published(tr)) {
        if (tr.incidentId !== undefined) { this.touched.add(tr.incidentId); tr.incidentId = undefined; tr.mutedBy = undefined; this.markHard(tr); this.updateHot(tr); }
        continue;
      }
      const reason = firstMute(this.muters, { rule, device: this.deviceOf(tr.device, tr.tags), instance: tr.instance, flapping: tr.flapping }, now);
      const mutedBy = reason && { kind: reason.kind, detail: reason.detail };
      if (JSON.stringify(mutedBy) !== JSON.stringify(tr.mutedBy)) { tr.mutedBy = mutedBy; this.markHard(tr); }
      if (reason?.kind === 'parent') behind.push({ tr, reason }); else own.push(tr);
    }
    const assign = (tr: Tracker, id: string | undefined) => {
      if (tr.incidentId === id) return;
      if (tr.incidentId !== undefined) this.touched.add(tr.incidentId);
      tr.incidentId = id;
      if (tr.logId !== undefined) this.store.updateAlertLog(tr.logId, { severity: tr.severity, state: 'firing', startsAt: tr.firedAt ?? now, incidentId: id, data: JSON.stringify(this.alertView(tr)) });
      this.markHard(tr);
      this.updateHot(tr);
    };
    for (const tr of own) assign(tr, this.incidentFor(tr, now));
    // Held while the parent is only pending: if it fires the child joins its incident, if not the child pages on its own.
    const held = new Set<string>();
    for (const { tr, reason } of behind) if (reason.pendingOnly) { held.add(tr.fingerprint); assign(tr, undefined); }
    for (const { tr, reason } of behind) {
      if (reason.pendingOnly) continue;
      const rootAlerts = [...this.hot].map((fp) => this.trackers.get(fp)!)
        .filter((x) => x.device === reason.root && x.state === 'firing' && this.ruleByName.get(x.rule)?.spec.deviceDown);
      const joined = rootAlerts.find((x) => x.incidentId !== undefined);
      // The root itself waits on a pending ancestor: its children wait with it.
      if (!joined && rootAlerts.some((x) => held.has(x.fingerprint))) { assign(tr, undefined); continue; }
      assign(tr, joined?.incidentId ?? this.incidentFor(tr, now));
    }
    const members = new Map<string, Tracker[]>();
    for (const fp of this.hot) {
      const tr = this.trackers.get(fp)!;
      if (tr.incidentId === undefined) continue;
      const list = members.get(tr.incidentId) ?? [];
      list.push(tr);
      members.set(tr.incidentId, list);
    }
    // Only incidents whose alerts changed are rebuilt on a sample batch; every tick rebuilds all (time-driven muting).
    for (const inc of [...this.incidents.values()]) {
      if (this.refreshAll || this.touched.has(inc.head.id)) this.refreshIncident(inc, members.get(inc.head.id) ?? [], now);
    }
    this.touched.clear();
    this.refreshAll = false;
  }

  private incidentFor(tr: Tracker, now: number): string {
    const rule = this.ruleByName.get(tr.rule)!;
    const key = groupKey(rule.spec.groupBy ?? this.rules.groupBy, this.labels(tr, rule));
    const existing = this.openByKey.get(key);
    if (existing) return existing;
    const n = this.store.nextIncidentNumber();
    const head: IncidentHead = { id: `INC-${n}`, n, key, state: 'open', openedAt: new Date(now) };
    const view = buildIncidentView(head, [], this.locale);
    this.incidents.set(head.id, { head, view, sig: '' });
    this.openByKey.set(key, head.id);
    // Reserve the number now: the row is rewritten with the full view when the incident's 'opened' event is produced.
    this.store.saveIncident(n, view, now);
    return head.id;
  }

  private refreshIncident(inc: OpenIncident, live: Tracker[], now: number): void {
    const liveViews = live.map((t) => this.alertView(t));
    const liveFps = new Set(liveViews.map((a) => a.fingerprint));
    // Alerts that left (resolved) stay listed as resolved until the incident closes; alerts moved to another incident do not.
    const departed = inc.view.alerts
      .filter((a) => !liveFps.has(a.fingerprint))
      .filter((a) => { const tr = this.trackers.get(a.fingerprint); return !tr || tr.incidentId === undefined; })
      .map((a) => (a.state === 'resolved' ? a : { ...a, state: 'resolved' as const, endsAt: new Date(this.trackers.get(a.fingerprint)?.endsAt ?? now) }));
    const isNew = inc.sig === '';
    if (live.length === 0) {
      if (isNew) {
        // Reserved for an alert that went elsewhere in the same pass: nothing was announced, drop it.
        this.incidents.delete(inc.head.id);
        this.openByKey.delete(inc.head.key);
        this.store.deleteIncident(inc.head.id);
        return;
      }
      inc.head.state = 'resolved';
      inc.head.resolvedAt = new Date(now);
      const view = buildIncidentView(inc.head, departed, this.locale, inc.view);
      this.closeIncident(inc, view, now, 'resolved');
      return;
    }
    const view = buildIncidentView(inc.head, [...liveViews, ...departed], this.locale, inc.view);
    const sig = incidentSignature(view);
    if (sig === inc.sig) { inc.view = view; return; }
    const kind: IncidentEventKind = isNew ? 'opened' : view.muted !== inc.view.muted ? (view.muted ? 'muted' : 'unmuted') : 'updated';
    inc.view = view;
    inc.sig = sig;
    this.store.saveIncident(inc.head.n, view, now);
    this.outEvents.push(this.store.appendEvent(kind, now, view));
  }

  private closeIncident(inc: OpenIncident, view: IncidentView, now: number, kind: IncidentEventKind, by?: string, note?: string): void {
    this.incidents.delete(inc.head.id);
    if (this.openByKey.get(inc.head.key) === inc.head.id) this.openByKey.delete(inc.head.key);
    this.store.saveIncident(inc.head.n, view, now);
    this.outEvents.push(this.store.appendEvent(kind, now, view, by, note));
  }

  // ---- views ---------------------------------------------------------------------------------

  private labels(tr: Tracker, rule: CompiledRule | undefined): Record<string, string> {
    const d = this.deviceOf(tr.device, tr.tags);
    return {
      ...tr.tags, ...(rule?.spec.labels ?? {}),
      alertname: tr.rule, rule: tr.rule, device: tr.device, site: d.site, class: String(d.class), instance: tr.instance,
      severity: tr.severity, measurement: tr.measurement,
    };
  }

  private alertView(tr: Tracker): AlertView {
    const rule = this.ruleByName.get(tr.rule);
    const labels = this.labels(tr, rule);
    const data = {
      vars: { device: tr.device, instance: tr.instance, value: tr.value, threshold: tr.threshold, site: labels.site, class: labels.class, rule: tr.rule, severity: tr.severity, measurement: tr.measurement },
      tags: tr.tags, labels: rule?.spec.labels ?? {},
    };
    const render = (t: { en: string; 'zh-CN': string }) => ({ en: renderTemplate(t.en, data), 'zh-CN': renderTemplate(t['zh-CN'], data) });
    const summary = rule ? render(rule.spec.summary) : { en: `${tr.rule} on ${tr.device}`, 'zh-CN': `${tr.device} ${tr.rule}` };
    const state: AlertState = tr.state === 'inactive' ? 'resolved' : tr.state;
    return {
      fingerprint: tr.fingerprint, rule: tr.rule, severity: tr.severity, device: tr.device, instance: tr.instance, state,
      ...(tr.value !== undefined ? { value: typeof tr.value === 'boolean' ? String(tr.value) : tr.value } : {}),
      summary,
      ...(rule?.spec.text ? { description: render(rule.spec.text) } : {}),
      labels,
      startsAt: new Date(tr.firedAt !== undefined && tr.state !== 'pending' ? tr.firedAt : tr.activeSince ?? tr.firedAt ?? 0),
      ...(state === 'resolved' && tr.endsAt !== undefined ? { endsAt: new Date(tr.endsAt) } : {}),
      ...(tr.mutedBy && state !== 'pending' ? { mutedBy: tr.mutedBy } : {}),
    };
  }

  private alertEventSample(state: string, at: number, view: AlertView, incident: string): Sample {
    const fields: Sample['fields'] = { title: view.summary[this.locale], text: view.description?.[this.locale] ?? view.summary[this.locale], instance: view.instance };
    if (typeof view.value === 'number') fields.value = view.value;
    return {
      measurement: 'alert_event',
      tags: { device: view.device, site: view.labels.site ?? '', severity: view.severity, rule: view.rule, state, incident },
      fields, time: new Date(at),
    };
  }

  // ---- persistence and delivery --------------------------------------------------------------

  private markHard(tr: Tracker): void {
    this.dirty.add(tr.fingerprint);
    if (tr.incidentId !== undefined) this.touched.add(tr.incidentId);
  }
  private markSoft(tr: Tracker): void { this.soft.add(tr.fingerprint); }
  private updateHot(tr: Tracker): void {
    if (!this.trackers.has(tr.fingerprint)) return;
    if (tr.state !== 'inactive' || tr.incidentId !== undefined || tr.flapping) this.hot.add(tr.fingerprint);
    else this.hot.delete(tr.fingerprint);
  }

  /** Writes changed trackers; `all` also writes condition memory that changes with every sample (at most once a minute). */
  private flush(all: boolean): void {
    const now = this.clock.ms();
    const ids = all ? new Set([...this.dirty, ...this.soft]) : this.dirty;
    for (const fp of ids) {
      const tr = this.trackers.get(fp);
      if (tr) this.store.saveTracker(tr, JSON.stringify(tr), now);
    }
    for (const fp of this.removed) this.store.deleteTracker(fp);
    this.removed.clear();
    if (all) { this.soft.clear(); this.lastSoftFlush = now; }
    for (const fp of ids) this.soft.delete(fp);
    this.dirty = new Set();
  }

  /** Runs a change in one transaction with the reconcile pass, then hands out alert events and incident events. */
  private run(fn: () => void): void {
    this.outEvents = [];
    this.outAlerts = [];
    this.store.transaction(() => {
      fn();
      this.reconcile(this.clock.ms());
      this.flush(false);
    });
    const events = this.outEvents;
    const alerts = this.outAlerts;
    this.outEvents = [];
    this.outAlerts = [];
    if (alerts.length > 0 && this.opts.onAlertEvents) {
      const samples = alerts.map((a) => this.alertEventSample(a.state, a.at, a.view, a.incident ?? this.trackers.get(a.fp)?.incidentId ?? ''));
      try { this.opts.onAlertEvents(samples); } catch (err) { this.log.error({ err }, 'alert event callback failed'); }
    }
    this.deliver(events);
  }

  private deliver(events: readonly IncidentEvent[]): void {
    for (const ev of events) {
      this.queue = this.queue.then(async () => {
        for (const l of this.listeners) {
          try { await l.onIncidentEvent(ev); } catch (err) {
            this.log.error({ err, incident: ev.incident.id, seq: ev.seq, kind: ev.kind }, 'incident listener failed');
          }
        }
        try { this.store.markDelivered(ev.seq); } catch (err) { this.log.error({ err, seq: ev.seq }, 'cannot mark incident event delivered'); }
      });
    }
  }

  settled(): Promise<void> { return this.queue; }

  start(): void {
    if (this.timer) return;
    const loop = () => {
      try { this.tick(); } catch (err) { this.log.error({ err }, 'alert timer evaluation failed'); }
      this.timer = this.clock.setTimeout(loop, this.rules.evaluationInterval);
    };
    this.timer = this.clock.setTimeout(loop, this.rules.evaluationInterval);
    this.tick();
  }

  async stop(): Promise<void> {
    this.timer?.cancel();
    this.timer = undefined;
    this.store.transaction(() => this.flush(true));
    await this.queue;
  }

  // ---- incident actions ----------------------------------------------------------------------

  private act(id: string, fn: (inc: OpenIncident, now: number) => void): IncidentView | undefined {
    const inc = this.incidents.get(id);
    if (!inc) return this.store.getIncident(id);
    let out: IncidentView | undefined;
    this.run(() => { fn(inc, this.clock.ms()); out = this.incidents.get(id)?.view ?? this.store.getIncident(id); });
    return out;
  }

  private headChange(inc: OpenIncident, now: number, kind: IncidentEventKind, by: string, note?: string): void {
    inc.view = { ...buildIncidentView(inc.head, inc.view.alerts, this.locale, inc.view) };
    this.store.saveIncident(inc.head.n, inc.view, now);
    this.outEvents.push(this.store.appendEvent(kind, now, inc.view, by, note));
  }

  acknowledge(id: string, by: string, note?: string): IncidentView | undefined {
    return this.act(id, (inc, now) => {
      if (inc.head.state !== 'open') return;
      inc.head.state = 'acknowledged';
      inc.head.acknowledgedAt = new Date(now);
      inc.head.acknowledgedBy = by;
      this.headChange(inc, now, 'acknowledged', by, note);
      const lead = inc.view.alerts[0];
      if (lead) this.outAlerts.push({ fp: lead.fingerprint, state: 'acknowledged', at: now, view: lead, incident: id });
    });
  }

  unacknowledge(id: string, by: string): IncidentView | undefined {
    return this.act(id, (inc, now) => {
      if (inc.head.state !== 'acknowledged') return;
      inc.head.state = 'open';
      delete inc.head.acknowledgedAt;
      delete inc.head.acknowledgedBy;
      this.headChange(inc, now, 'unacknowledged', by);
    });
  }

  resolve(id: string, by: string, note?: string): IncidentView | undefined {
    return this.act(id, (inc, now) => {
      // Resolved by hand while alerts still fire (Zabbix "close problem"): they stay out until they resolve and fire again.
      for (const tr of this.trackers.values()) {
        if (tr.incidentId !== id) continue;
        if (tr.state === 'firing') tr.closed = true;
        tr.flapping = false;
        tr.incidentId = undefined;
        tr.mutedBy = undefined;
        this.markHard(tr);
        this.updateHot(tr);
      }
      inc.head.state = 'resolved';
      inc.head.resolvedAt = new Date(now);
      const view = buildIncidentView(inc.head, inc.view.alerts, this.locale, inc.view);
      this.closeIncident(inc, view, now, 'resolved', by, note);
    });
  }

  comment(id: string, by: string, note: string): IncidentView | undefined {
    const inc = this.incidents.get(id);
    const view = inc?.view ?? this.store.getIncident(id);
    if (!view) return undefined;
    this.run(() => { this.outEvents.push(this.store.appendEvent('commented', this.clock.ms(), view, by, note)); });
    return view;
  }

  // ---- queries -------------------------------------------------------------------------------

  /** An open incident with its alerts' current values (events carry the values of their moment). */
  private liveView(id: string): IncidentView | undefined {
    const inc = this.incidents.get(id);
    if (!inc) return undefined;
    const alerts = inc.view.alerts.map((a) => {
      const tr = this.trackers.get(a.fingerprint);
      return tr && tr.incidentId === id ? this.alertView(tr) : a;
    });
    return buildIncidentView(inc.head, alerts, this.locale, inc.view);
  }

  listIncidents(filter: ListFilter<IncidentState> = {}): { total: number; items: IncidentView[] } {
    const r = this.store.listIncidents(filter);
    return { total: r.total, items: r.items.map((v) => this.liveView(v.id) ?? v) };
  }

  getIncident(id: string): IncidentDetail | undefined {
    const incident = this.liveView(id) ?? this.store.getIncident(id);
    if (!incident || (this.incidents.get(id)?.sig === '')) return undefined;
    return { incident, timeline: this.store.incidentEvents(id) };
  }

  listAlerts(filter: ListFilter<AlertState> = {}): { total: number; items: AlertView[] } {
    const r = this.store.listAlertLog(filter);
    const byFp = new Map([...this.hot].map((fp) => [fp, this.trackers.get(fp)!]));
    return {
      total: r.total,
      items: r.rows.map((row) => {
        const tr = byFp.get(row.fingerprint);
        return tr && tr.logId === row.id ? this.alertView(tr) : reviveJson<AlertView>(row.data);
      }),
    };
  }

  activeAlerts(): AlertView[] {
    return [...this.hot].map((fp) => this.trackers.get(fp)!).filter((t) => t.state !== 'inactive').map((t) => this.alertView(t));
  }

  readonly maintenance: AlertEngine['maintenance'] = {
    list: () => this.book.list(),
    get: (id) => this.book.get(id),
    create: (input, by) => { const w = this.book.create(input, by); this.tick(); return w; },
    update: (id, input) => { const w = this.book.update(id, input); if (w) this.tick(); return w; },
    delete: (id) => { const ok = this.book.delete(id); if (ok) this.tick(); return ok; },
  };
}

/** Builds the alert engine on the shared state database; add it to the SampleBus and call start(). */
export function createAlertEngine(opts: AlertEngineOptions): AlertEngine {
  return new Engine(opts);
}
