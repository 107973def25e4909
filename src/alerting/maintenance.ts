import { randomUUID } from 'node:crypto';
import { maintenanceSchema, type MaintenanceInput, type MaintenanceSpec } from './rules-schema.js';
import { nextFire, parseCron, type CronSpec } from './cron.js';
import { compilePatterns } from './patterns.js';
import type { DeviceInfo } from './rules.js';
import { describeIssue } from '../config/yaml-source.js';
import type { AlertStore } from './store.js';

/** A maintenance window as the engine and the API see it. */
export interface MaintenanceWindow {
  id: string;
  /** `config` windows come from alerts.yaml and are replaced on reload; `api` windows live in the state database. */
  source: 'config' | 'api';
  spec: MaintenanceSpec;
  createdBy?: string;
}

/** A window's state at an instant: active now (until `end`), or the next start. */
export interface WindowStatus { active: boolean; start?: Date; end?: Date }

/** Thrown by the maintenance API on bad input; `issues` name each field and what was expected. */
export class MaintenanceInvalidError extends Error {
  constructor(readonly issues: { path: string; message: string }[]) {
    super(issues.map((i) => `${i.path ? i.path + ': ' : ''}${i.message}`).join('\n'));
    this.name = 'MaintenanceInvalidError';
  }
}

/** A window with its scope and schedule compiled. */
export class CompiledWindow {
  private readonly cron?: CronSpec;
  private readonly devices?: (v: string) => boolean;
  private readonly sites?: (v: string) => boolean;
  constructor(readonly window: MaintenanceWindow) {
    const s = window.spec;
    if (s.cron !== undefined) this.cron = parseCron(s.cron, s.timezone);
    if (s.devices) this.devices = compilePatterns(s.devices);
    if (s.sites) this.sites = compilePatterns(s.sites);
  }

  /** A device is in scope when any scope given (devices, sites, deviceTags) takes it in. */
  covers(d: DeviceInfo): boolean {
    const s = this.window.spec;
    return (this.devices?.(d.name) ?? false) || (this.sites?.(d.site) ?? false) || (s.deviceTags?.some((t) => d.tags.includes(t)) ?? false);
  }

  /** Whether the window is open at `now`, and its bounds. */
  status(now: number): WindowStatus {
    // The mute stage asks for every alert in a pass at the same instant: compute once.
    if (this.memo?.now === now) return this.memo.status;
    const status = this.compute(now);
    this.memo = { now, status };
    return status;
  }

  private memo?: { now: number; status: WindowStatus };

  private compute(now: number): WindowStatus {
    const s = this.window.spec;
    if (!this.cron) {
      const start = Date.parse(s.start!); const end = Date.parse(s.end!);
      return { active: now >= start && now < end, start: new Date(start), end: new Date(end) };
    }
    const duration = s.duration!;
    // The latest firing that could still be open started no earlier than now - duration.
    const first = nextFire(this.cron, now - duration + 1);
    if (first === undefined) return { active: false };
    // Overlapping firings are seen one after the other: when this one ends, the next status() finds the later one.
    if (first <= now) return { active: true, start: new Date(first), end: new Date(first + duration) };
    return { active: false, start: new Date(first), end: new Date(first + duration) };
  }
}

/** Validates API input the same way as the config file, and checks the cron expression. */
export function parseMaintenanceInput(input: unknown): MaintenanceSpec {
  const r = maintenanceSchema.safeParse(input, { reportInput: true });
  if (!r.success) throw new MaintenanceInvalidError(r.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: describeIssue(i) })));
  if (r.data.cron !== undefined) {
    try { parseCron(r.data.cron, r.data.timezone); } catch (err) { throw new MaintenanceInvalidError([{ path: 'cron', message: (err as Error).message }]); }
  }
  return r.data;
}

/** Config windows plus API windows (persisted), with create/update/delete for the HTTP API. */
export class MaintenanceBook {
  private config: CompiledWindow[] = [];
  private api = new Map<string, CompiledWindow>();

  constructor(private readonly store: AlertStore, private readonly now: () => number) {
    for (const row of store.loadMaintenance()) {
      const w = JSON.parse(row.data) as MaintenanceWindow;
      this.api.set(w.id, new CompiledWindow(w));
    }
  }

  /** Replaces the windows from alerts.yaml (start and reload). */
  setConfig(specs: readonly MaintenanceSpec[]): void {
    this.config = specs.map((spec) => new CompiledWindow({ id: `config:${spec.name}`, source: 'config', spec }));
  }

  all(): CompiledWindow[] { return [...this.config, ...this.api.values()]; }

  list(): (MaintenanceWindow & WindowStatus)[] {
    const now = this.now();
    return this.all().map((w) => ({ ...w.window, ...w.status(now) }));
  }

  get(id: string): (MaintenanceWindow & WindowStatus) | undefined {
    const w = this.all().find((x) => x.window.id === id);
    return w && { ...w.window, ...w.status(this.now()) };
  }

  create(input: MaintenanceInput | unknown, by?: string): MaintenanceWindow {
    const spec = parseMaintenanceInput(input);
    const w: MaintenanceWindow = { id: randomUUID(), source: 'api', spec, ...(by ? { createdBy: by } : {}) };
    this.store.saveMaintenance(w.id, JSON.stringify(w), this.now());
    this.api.set(w.id, new CompiledWindow(w));
    return w;
  }

  /** Replaces an API window's definition; config windows are changed in alerts.yaml, not here. */
  update(id: string, input: MaintenanceInput | unknown): MaintenanceWindow | undefined {
    const old = this.api.get(id);
    if (!old) return undefined;
    const w: MaintenanceWindow = { ...old.window, spec: parseMaintenanceInput(input) };
    this.store.saveMaintenance(id, JSON.stringify(w), this.now());
    this.api.set(id, new CompiledWindow(w));
    return w;
  }

  delete(id: string): boolean {
    if (!this.api.has(id)) return false;
    this.api.delete(id);
    return this.store.deleteMaintenance(id);
  }
}

/** The window operations {@link endWindowEarly} needs: the engine's `maintenance` or a {@link MaintenanceBook}. */
export interface MaintenanceEditor {
  get(id: string): (MaintenanceWindow & WindowStatus) | undefined;
  update(id: string, input: MaintenanceInput | unknown): MaintenanceWindow | undefined;
  delete(id: string): boolean;
}

/**
 * Ends an API window at `at`, before its planned end. A window that has not begun cannot end before it
 * starts: ending it early means dropping it, and the answer is the window as it was, closed at `at`.
 * Undefined when there is no such window or it is a config window (those change in alerts.yaml).
 */
export function endWindowEarly(windows: MaintenanceEditor, id: string, at: Date): (MaintenanceWindow & WindowStatus) | undefined {
  const w = windows.get(id);
  if (!w || w.source !== 'api') return undefined;
  const start = w.start ?? (w.spec.start ? new Date(w.spec.start) : undefined);
  if (!start || start.getTime() >= at.getTime()) {
    windows.delete(id);
    return { ...w, active: false, end: at };
  }
  windows.update(id, { ...w.spec, end: at.toISOString() });
  return windows.get(id);
}
