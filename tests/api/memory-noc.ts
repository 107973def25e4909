/**
 * An in-memory Noctua behind the API's services: a device registry, an incident store that behaves like
 * the alert engine's (acknowledge/resolve change state, every change is a timeline event pushed to the
 * live feed), maintenance windows, on-call and health. Tests change it while the API serves it.
 */
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { Gauge, Registry } from 'prom-client';
import { buildApp } from '../../src/api/app.js';
import type { ApiSection } from '../../src/config/sections/api.js';
import { apiSectionSchema } from '../../src/config/sections/api.js';
import type { AlertView, IncidentEvent, IncidentEventKind, IncidentView, Severity } from '../../src/core/incident.js';
import type { Sample } from '../../src/core/sample.js';
import { hashToken } from '../../src/api/access.js';
import { CompiledWindow, type MaintenanceWindow } from '../../src/alerting/maintenance.js';
import type { MaintenanceInput } from '../../src/alerting/rules-schema.js';
import { maintenanceSchema } from '../../src/alerting/rules-schema.js';
import type { ApiLimits } from '../../src/api/plugin.js';
import type {
  AlertRecord, ApiServices, ConfigCheck, DeviceCondition, DeviceSummary, LiveEvent,
  OnCallEntry, Readiness, Series, DeviceSeriesQuery,
} from '../../src/api/services/index.js';

/** Plain tokens the tests present; config holds only their hashes. */
export const TOKENS = { viewer: 'viewer-token-1', operator: 'operator-token-1', admin: 'admin-token-1' } as const;

/** An `api:` section with one token per role and the given overrides. */
export function apiSettings(over: Record<string, unknown> = {}): ApiSection {
  return apiSectionSchema.parse({
    tokens: [
      { name: 'wall-screen', role: 'viewer', sha256: hashToken(TOKENS.viewer) },
      { name: 'alice', role: 'operator', sha256: hashToken(TOKENS.operator) },
      { name: 'root', role: 'admin', sha256: hashToken(TOKENS.admin) },
    ],
    ...over,
  });
}

/** Authorization header for a role. */
export function bearer(role: keyof typeof TOKENS): { authorization: string } {
  return { authorization: `Bearer ${TOKENS[role]}` };
}

/** Fixed start of time for the tests. */
export const T0 = new Date('2026-11-23T08:00:00.000Z');

function device(name: string, site: string, cls: DeviceSummary['class'], tags: string[], address: string): DeviceSummary {
  return { name, address, site, class: cls, tags, state: 'up', stateSince: T0, lastPolledAt: T0, openIncidents: 0, vendor: 'huawei', rttMs: 1.2, lossPct: 0 };
}

/** The in-memory NOC. */
export class MemoryNoc {
  devices = new Map<string, DeviceSummary>();
  samples = new Map<string, Sample[]>();
  incidents = new Map<string, IncidentView>();
  events: IncidentEvent[] = [];
  looseAlerts: AlertRecord[] = [];
  windows: MaintenanceWindow[] = [];
  onCall: OnCallEntry[] = [{ tier: 1, name: 'Wang Lei', contact: '+86 138 0000 0001' }, { tier: 2, name: 'Chen Jing' }];
  readiness: Readiness = { configLoaded: true, influx: 'reachable', schedulerRunning: true, lastCycleAt: T0 };
  configCheck: ConfigCheck = { ok: true, devices: 5, sites: 2, disabled: 0 };
  reloads: string[] = [];
  seriesQueries: DeviceSeriesQuery[] = [];
  metricsDown = false;
  registry = new Registry();
  private listeners = new Set<(e: LiveEvent) => void>();
  private seq = 0;
  private nextWindow = 1;

  constructor(public now: () => Date = () => T0) {
    for (const d of [
      device('core-sw-01', 'hq', 'switch', ['core'], '10.0.0.1'),
      device('edge-rt-01', 'hq', 'router', ['wan', 'core'], '10.0.0.2'),
      device('fw-01', 'hq', 'firewall', ['security'], '10.0.0.3'),
      device('branch-rt-01', 'shanghai', 'router', ['wan'], '10.1.0.1'),
      device('branch-ups-01', 'shanghai', 'ups', [], '10.1.0.9'),
    ]) this.devices.set(d.name, d);
    this.samples.set('core-sw-01', [
      { measurement: 'interface', tags: { device: 'core-sw-01', site: 'hq', class: 'switch', vendor: 'huawei', ifIndex: '2', ifName: 'GE0/0/2', ifAlias: 'to fw-01' }, fields: { oper_up: true, admin_up: true, speed_bps: 1_000_000_000n, in_bps: 2000.5 }, time: T0 },
      { measurement: 'interface', tags: { device: 'core-sw-01', site: 'hq', class: 'switch', vendor: 'huawei', ifIndex: '1', ifName: 'GE0/0/1', ifAlias: 'uplink' }, fields: { oper_up: false, admin_up: true, in_octets: 12345n }, time: T0 },
      { measurement: 'cpu', tags: { device: 'core-sw-01', site: 'hq', class: 'switch', vendor: 'huawei', cpu: '0' }, fields: { load_pct: 12.5 }, time: T0 },
    ]);
    // A self metric as the scheduler would register it.
    new Gauge({ name: 'noctua_scheduler_cycle_ms', help: 'duration of the last poll cycle', registers: [this.registry] }).set(812);
  }

  private emit(e: LiveEvent): void { for (const l of this.listeners) l(e); }

  /** Changes a device's state as the scheduler's registry would, and pushes it to the live feed. */
  setDeviceState(name: string, state: DeviceCondition): DeviceSummary {
    const d = this.devices.get(name);
    if (!d) throw new Error(`no device ${name}`);
    const next = { ...d, state, stateSince: this.now(), ...(state === 'down' ? { lossPct: 100, rttMs: undefined } : state === 'up' ? { lossPct: 0, rttMs: 1.3 } : {}) };
    this.devices.set(name, next);
    this.emit({ type: 'device', device: next });
    return next;
  }

  private record(kind: IncidentEventKind, incident: IncidentView, by?: string, note?: string): void {
    const e: IncidentEvent = { seq: ++this.seq, kind, at: this.now(), incident: structuredClone(incident), by, note };
    this.events.push(e);
    this.emit({ type: 'incident', event: e });
  }

  private countOpen(deviceName: string | undefined): void {
    if (!deviceName) return;
    const d = this.devices.get(deviceName);
    if (!d) return;
    const n = [...this.incidents.values()].filter((i) => i.device === deviceName && i.state !== 'resolved').length;
    this.devices.set(deviceName, { ...d, openIncidents: n });
  }

  /** Opens an incident with one firing alert, as the alert engine does. */
  openIncident(o: { id: string; device: string; severity: Severity; title: string; rule?: string; openedAt?: Date }): IncidentView {
    const d = this.devices.get(o.device);
    const at = o.openedAt ?? this.now();
    const alert: AlertView = {
      fingerprint: `fp-${o.id}`, rule: o.rule ?? 'device_down', severity: o.severity, device: o.device, instance: '', state: 'firing',
      summary: { en: o.title, 'zh-CN': `${o.device} 告警` }, labels: { site: d?.site ?? '' }, startsAt: at, value: 100,
    };
    const incident: IncidentView = {
      id: o.id, key: `device:${o.device}`, title: o.title, severity: o.severity, state: 'open', device: o.device, site: d?.site,
      openedAt: at, alerts: [alert], muted: false, flapping: false, suppressedDevices: [],
    };
    this.incidents.set(o.id, incident);
    this.countOpen(o.device);
    this.record('opened', incident);
    return incident;
  }

  private change(id: string, kind: IncidentEventKind, by: string, note: string | undefined, f: (i: IncidentView) => IncidentView): IncidentView | undefined {
    const cur = this.incidents.get(id);
    if (!cur) return undefined;
    const next = f(structuredClone(cur));
    this.incidents.set(id, next);
    this.countOpen(next.device);
    this.record(kind, next, by, note);
    return next;
  }


  /** A window's state now, as the engine's maintenance book reports it. */
  private withStatus(w: MaintenanceWindow) {
    return { ...w, ...new CompiledWindow(w).status(this.now().getTime()) };
  }

  /** The services the API is built on. */
  services(): ApiServices {
    return {
      devices: {
        list: () => [...this.devices.values()],
        get: (name) => this.devices.get(name),
        latestSamples: (name) => this.samples.get(name) ?? [],
      },
      metrics: {
        series: async (q): Promise<Series[]> => {
          this.seriesQueries.push(q);
          if (this.metricsDown) throw new Error('connect ECONNREFUSED 127.0.0.1:8086');
          const points: Series['points'] = [];
          for (let t = q.from.getTime(), i = 0; t < q.to.getTime() && i < 10_000; t += q.stepMs, i++) {
            points.push({ time: new Date(t), value: q.field === 'loss_pct' ? (i % 7 === 0 ? 20 : 0) : 2 + Math.sin(i / 3) });
          }
          return [{ tags: { device: q.device, ...q.where }, points }];
        },
      },
      incidents: {
        listIncidents: (since) => [...this.incidents.values()].filter((i) => i.state !== 'resolved' || (i.resolvedAt ?? since) >= since),
        get: (id) => this.incidents.get(id),
        timeline: (id) => this.events.filter((e) => e.incident.id === id),
        listAlerts: () => [
          ...[...this.incidents.values()].flatMap((i) => i.alerts.map((a) => ({ ...a, incidentId: i.id }))),
          ...this.looseAlerts,
        ],
        acknowledge: (id, by, note) => this.change(id, 'acknowledged', by, note, (i) => ({ ...i, state: 'acknowledged', acknowledgedAt: this.now(), acknowledgedBy: by })),
        unacknowledge: (id, by) => this.change(id, 'unacknowledged', by, undefined, (i) => ({ ...i, state: 'open', acknowledgedAt: undefined, acknowledgedBy: undefined })),
        resolve: (id, by, note) => this.change(id, 'resolved', by, note, (i) => ({
          ...i, state: 'resolved', resolvedAt: this.now(), alerts: i.alerts.map((a) => ({ ...a, state: 'resolved' as const, endsAt: this.now() })),
        })),
        comment: (id, by, note) => this.change(id, 'commented', by, note, (i) => i),
      },
      maintenance: {
        list: () => this.windows.map((w) => this.withStatus(w)),
        create: (input: MaintenanceInput, by: string) => {
          const created: MaintenanceWindow = { id: `mw-${this.nextWindow++}`, source: 'api', spec: maintenanceSchema.parse(input), createdBy: by };
          this.windows.push(created);
          return this.withStatus(created);
        },
        endEarly: (id, at) => {
          const i = this.windows.findIndex((x) => x.id === id);
          if (i < 0) return undefined;
          const w = this.windows[i]!;
          this.windows[i] = { ...w, spec: { ...w.spec, end: at.toISOString() } };
          return this.withStatus(this.windows[i]);
        },
        remove: (id) => {
          const before = this.windows.length;
          this.windows = this.windows.filter((w) => w.id !== id);
          return this.windows.length < before;
        },
      },
      config: {
        validate: async () => this.configCheck,
        reload: async (by) => { if (this.configCheck.ok) this.reloads.push(by); return this.configCheck; },
      },
      onCall: { current: () => this.onCall },
      health: { readiness: () => this.readiness },
      live: {
        subscribe: (l) => { this.listeners.add(l); return () => { this.listeners.delete(l); }; },
      },
      registry: this.registry,
    };
  }

  /** How many live subscribers there are (open streams). */
  get subscribers(): number { return this.listeners.size; }
}

/** The API over a fresh in-memory NOC, not listening (drive it with inject); close it in afterAll. */
export function appOver(settings: Record<string, unknown> = {}, noc = new MemoryNoc(), patch: (services: ApiServices) => void = () => {}, limits?: ApiLimits): { app: FastifyInstance; noc: MemoryNoc } {
  const services = noc.services();
  patch(services);
  const app = buildApp({ settings: apiSettings(settings), services, log: pino({ level: 'silent' }), now: () => noc.now(), limits });
  return { app, noc };
}
