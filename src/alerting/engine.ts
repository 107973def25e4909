import type { Sink } from '../core/bus.js';
import { systemClock, type Clock } from '../core/clock.js';
import type { Db } from '../core/database.js';
import type { AlertState, AlertView, IncidentActions, IncidentEvent, IncidentListener, IncidentState, IncidentView } from '../core/incident.js';
import type { Logger } from '../core/log.js';
import type { Sample } from '../core/sample.js';
import type { Device } from '../config/inventory-schema.js';
import { AlertStateMachine } from './engine/alert-state.js';
import { DeviceIndex, Pass, RuleIndex, type EngineContext } from './engine/context.js';
import { DEFAULT_FORGET_AFTER_POLLS, Evaluator } from './engine/evaluate.js';
import { Grouping } from './engine/grouping.js';
import { IncidentBook, type OpenIncident } from './engine/incident-book.js';
import { LatestTable } from './engine/latest.js';
import { TrackerWriter } from './engine/persist.js';
import { AlertReadModel, type IncidentDetail } from './engine/read-model.js';
import { parseTracker, TrackerTable } from './engine/trackers.js';
import { AlertViews } from './engine/views.js';
import { MaintenanceBook, type MaintenanceWindow, type WindowStatus } from './maintenance.js';
import type { MaintenanceInput } from './rules-schema.js';
import type { AlertRules } from './rules.js';
import { AlertStore, type ListFilter } from './store.js';
import { type Lang } from '../config/lang.js';

export { alertFingerprint } from './engine/trackers.js';
export type { IncidentDetail } from './engine/read-model.js';

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
  locale?: Lang;
  /** The topology's derived parent of a device with `parent: auto` (src/topology); parent suppression uses it as a configured one. */
  derivedParent?: (device: string) => string | undefined;
}

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
  /** The queries above, as one object (for code that only reads). */
  readonly read: AlertReadModel;
  maintenance: {
    list(): (MaintenanceWindow & WindowStatus)[];
    get(id: string): (MaintenanceWindow & WindowStatus) | undefined;
    /** Throws MaintenanceInvalidError naming each bad field. */
    create(input: MaintenanceInput | unknown, by?: string): MaintenanceWindow;
    update(id: string, input: MaintenanceInput | unknown): MaintenanceWindow | undefined;
    delete(id: string): boolean;
  };
}

/**
 * The coordinator of the engine's stages (src/alerting/engine/): evaluation (rules, state machine, timers), grouping
 * (mute stage, incidents), persistence (one transaction per pass) and the read model. Each sample batch, tick and
 * operator's action is one pass; its events are handed out after it is committed.
 */
class Engine implements AlertEngine {
  readonly name = 'alerting';
  private readonly ctx: EngineContext;
  private readonly trackers: TrackerTable;
  private readonly book: MaintenanceBook;
  private readonly evaluator: Evaluator;
  private readonly incidents: IncidentBook;
  private readonly grouping: Grouping;
  private readonly writer: TrackerWriter;
  readonly read: AlertReadModel;
  private readonly views: AlertViews;
  private readonly onAlertEvents?: (samples: Sample[]) => void;
  private readonly listeners: IncidentListener[];
  private queue: Promise<void> = Promise.resolve();
  private timer?: { cancel(): void };

  constructor(opts: AlertEngineOptions) {
    const clock = opts.clock ?? systemClock;
    const rules = new RuleIndex(opts.rules);
    const ctx: EngineContext = { store: new AlertStore(opts.db), clock, log: opts.log, locale: opts.locale ?? 'en', rules, devices: new DeviceIndex() };
    this.ctx = ctx;
    if (opts.derivedParent) ctx.devices.useDerivedParents(opts.derivedParent);
    this.listeners = [...(opts.listeners ?? [])];
    this.trackers = new TrackerTable((name) => rules.traits(name));
    const latest = new LatestTable();
    const views = new AlertViews(ctx);
    this.views = views;
    this.onAlertEvents = opts.onAlertEvents;
    this.book = new MaintenanceBook(ctx.store, () => clock.ms());
    this.writer = new TrackerWriter(ctx.store, this.trackers);
    const machine = new AlertStateMachine(ctx, this.trackers, latest, views);
    this.evaluator = new Evaluator(ctx, this.trackers, latest, machine, (tr) => this.writer.memoryChanged(tr),
      () => ctx.rules.rules.forgetAfterPolls ?? DEFAULT_FORGET_AFTER_POLLS);
    this.incidents = new IncidentBook(ctx, this.trackers, views);
    this.grouping = new Grouping(ctx, this.trackers, this.incidents, views, this.book);
    this.read = new AlertReadModel(ctx, this.trackers, this.incidents, views);
    this.book.setConfig(opts.rules.maintenance);
    ctx.devices.set(opts.devices, clock.ms());
    for (const row of ctx.store.loadTrackers()) {
      const tr = parseTracker(row.data);
      this.trackers.add(tr);
      latest.add(tr);
    }
    this.incidents.load();
    // Events persisted but not yet handed over when the process stopped are delivered now, and only those.
    this.deliver(ctx.store.undeliveredEvents());
  }

  // ---- configuration -------------------------------------------------------------------------

  setRules(rules: AlertRules): void {
    this.ctx.rules.set(rules);
    this.book.setConfig(rules.maintenance);
    this.trackers.reindex();
    this.evaluator.rulesChanged();
    this.grouping.rulesChanged();
  }

  setDevices(devices: Device[]): void {
    this.run(new Pass(true, false), (pass, now) => this.evaluator.retireDevices(pass, this.ctx.devices.set(devices, now), now));
  }

  addListener(listener: IncidentListener): void { this.listeners.push(listener); }

  // ---- passes --------------------------------------------------------------------------------

  async write(batch: readonly Sample[]): Promise<void> {
    this.run(new Pass(false, false), (pass) => this.evaluator.evaluateBatch(pass, batch));
  }

  async close(): Promise<void> { await this.stop(); }

  tick(): void {
    this.run(new Pass(true, true), (pass, now) => {
      this.evaluator.evaluateTimers(pass, now);
      this.writer.checkpoint(now, this.ctx.rules.rules.evaluationInterval);
    });
  }

  /** Runs one pass: its change, the grouping, and the tracker writes in one transaction; then hands out its events. */
  private run(pass: Pass, fn: (pass: Pass, now: number) => void): void {
    this.ctx.store.unit(() => {
      fn(pass, this.ctx.clock.ms());
      const now = this.ctx.clock.ms();
      this.grouping.reconcile(pass, now);
      this.writer.flush(pass, now);
    });
    this.emitAlerts(pass);
    this.deliver(pass.events);
  }

  /** The pass's alert transitions as `alert_event` samples, for InfluxDB. */
  private emitAlerts(pass: Pass): void {
    if (pass.alerts.length === 0 || !this.onAlertEvents) return;
    const samples = pass.alerts.map((a) => this.views.alertEventSample(a.state, a.at, a.view, a.incident ?? this.trackers.get(a.fp)?.incidentId ?? ''));
    try { this.onAlertEvents(samples); } catch (err) { this.ctx.log.error({ err }, 'alert event callback failed'); }
  }

  private deliver(events: readonly IncidentEvent[]): void {
    for (const ev of events) {
      this.queue = this.queue.then(async () => {
        for (const l of this.listeners) {
          try { await l.onIncidentEvent(ev); } catch (err) {
            this.ctx.log.error({ err, incident: ev.incident.id, seq: ev.seq, kind: ev.kind }, 'incident listener failed');
          }
        }
        try { this.ctx.store.markDelivered(ev.seq); } catch (err) { this.ctx.log.error({ err, seq: ev.seq }, 'cannot mark incident event delivered'); }
      });
    }
  }

  settled(): Promise<void> { return this.queue; }

  start(): void {
    if (this.timer) return;
    const loop = () => {
      try { this.tick(); } catch (err) { this.ctx.log.error({ err }, 'alert timer evaluation failed'); }
      this.timer = this.ctx.clock.setTimeout(loop, this.ctx.rules.rules.evaluationInterval);
    };
    this.timer = this.ctx.clock.setTimeout(loop, this.ctx.rules.rules.evaluationInterval);
    this.tick();
  }

  async stop(): Promise<void> {
    this.timer?.cancel();
    this.timer = undefined;
    this.ctx.store.unit(() => this.writer.flushAll(this.ctx.clock.ms()));
    await this.queue;
  }

  // ---- incident actions ----------------------------------------------------------------------

  private act(id: string, fn: (pass: Pass, inc: OpenIncident, now: number) => void): IncidentView | undefined {
    const inc = this.incidents.get(id);
    if (!inc) return this.ctx.store.getIncident(id);
    let out: IncidentView | undefined;
    this.run(new Pass(true, false), (pass, now) => { fn(pass, inc, now); out = this.incidents.get(id)?.view ?? this.ctx.store.getIncident(id); });
    return out;
  }

  acknowledge(id: string, by: string, note?: string): IncidentView | undefined {
    return this.act(id, (pass, inc, now) => this.incidents.acknowledge(pass, inc, now, by, note));
  }

  unacknowledge(id: string, by: string): IncidentView | undefined {
    return this.act(id, (pass, inc, now) => this.incidents.unacknowledge(pass, inc, now, by));
  }

  resolve(id: string, by: string, note?: string): IncidentView | undefined {
    return this.act(id, (pass, inc, now) => this.incidents.resolve(pass, inc, now, by, note));
  }

  comment(id: string, by: string, note: string): IncidentView | undefined {
    const view = this.incidents.get(id)?.view ?? this.ctx.store.getIncident(id);
    if (!view) return undefined;
    this.run(new Pass(false, false), (pass, now) => this.incidents.comment(pass, view, now, by, note));
    return view;
  }

  // ---- queries (the read model) --------------------------------------------------------------

  listIncidents(filter?: ListFilter<IncidentState>) { return this.read.listIncidents(filter); }
  getIncident(id: string) { return this.read.getIncident(id); }
  listAlerts(filter?: ListFilter<AlertState>) { return this.read.listAlerts(filter); }
  activeAlerts() { return this.read.activeAlerts(); }

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
