/**
 * The API's ports over the real modules of a running Noctua: the scheduler's device-state registry,
 * the alert engine (incidents, alerts, maintenance), escalation (acknowledgements that stop paging,
 * on-call), storage's query reader and the InfluxDB writer's health. src/main.ts builds one of these
 * and hands it to startApiServer.
 */
import type { Registry } from 'prom-client';
import type { Device } from '../config/inventory-schema.js';
import type { IncidentEvent, IncidentView } from '../core/incident.js';
import type { AlertEngine } from '../alerting/engine.js';
import { CompiledWindow, type MaintenanceWindow as EngineWindow, type WindowStatus } from '../alerting/maintenance.js';
import type { DeviceState, DeviceStateRegistry } from '../scheduler/device-state.js';
import type { InfluxReader } from '../storage/queries.js';
import type { InfluxReadiness } from '../storage/influx/sink.js';
import type { EscalationService } from '../alerting/escalation/index.js';
import type { LatestSamples } from './latest-samples.js';
import type {
  AlertRecord, ApiPorts, ConfigService, DeviceStatus, LiveEvent, MaintenanceWindow, OnCallEntry, PagingService, Readiness, ReportService,
} from './ports.js';

/** The running parts the API reads and acts through. */
export interface RuntimeParts {
  /** The inventory in force; it changes on reload. */
  inventory: () => readonly Device[];
  states: DeviceStateRegistry;
  /** A sink on the bus (see LatestSamples). */
  latest: LatestSamples;
  engine: AlertEngine;
  /** Acknowledgements go through escalation when there is one, so paging stops and the SLA clock records it. */
  escalation?: {
    acknowledge(incidentId: string, by: string, note?: string): IncidentView | undefined;
    onCall(schedule: string, at?: Date): { person: string; shiftEnd: Date } | undefined;
  };
  /** The on-call schedules to show on the wall, in escalation order (tier 1 first). */
  onCallSchedules?: readonly string[];
  reader: Pick<InfluxReader, 'series'>;
  /** The InfluxDB writer's health; absent when nothing is written to InfluxDB. */
  influx?: { readiness(): InfluxReadiness };
  schedulerRunning: () => boolean;
  metrics: Registry;
  config: ConfigService;
  /** Escalation's outbox, SLA records and acknowledge links (the same service as `escalation`, when there is one). */
  paging?: Pick<EscalationService, 'outboxStats' | 'failedNotices' | 'retryNotice' | 'slaRecord' | 'verifyAckToken' | 'acknowledgeWithToken'>;
  /** The report store over the state directory (src/api/routes/reports-store.ts). */
  reports?: ReportService;
  now?: () => Date;
}

/** More than any NOC keeps open at once; the engine's store pages at 50 otherwise. */
const ALL = 100_000;

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}
function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Builds {@link ApiPorts} over the running parts; `close` detaches the live feed from the registry. */
export function runtimePorts(parts: RuntimeParts): ApiPorts & { close(): void } {
  const now = parts.now ?? (() => new Date());
  const { engine, states, latest } = parts;

  const inMaintenance = (): ((d: Device) => boolean) => {
    const active = engine.maintenance.list().filter((w) => w.active).map((w) => new CompiledWindow(w));
    return (d) => active.some((w) => w.covers(d));
  };
  const openCounts = (): Map<string, number> => {
    const counts = new Map<string, number>();
    for (const i of engine.listIncidents({ state: ['open', 'acknowledged'], limit: ALL }).items) {
      if (i.device) counts.set(i.device, (counts.get(i.device) ?? 0) + 1);
    }
    return counts;
  };

  const statusOf = (s: Readonly<DeviceState>, d: Device | undefined, maintenance: (d: Device) => boolean, counts: Map<string, number>): DeviceStatus => {
    const system = latest.one(s.name, 'system');
    const icmp = latest.one(s.name, 'icmp');
    const icmpFresh = icmp && s.status !== 'unreachable' ? icmp : undefined;
    return {
      name: s.name, address: s.address, site: s.site, class: (d?.class ?? s.class) as DeviceStatus['class'],
      tags: [...(d?.tags ?? [])], description: d?.description,
      vendor: str(system?.fields.vendor) ?? str(system?.tags.vendor), model: str(system?.fields.model), sysName: str(system?.fields.sysName),
      state: d && maintenance(d) ? 'maintenance' : s.status, reason: s.reason, stateSince: s.since,
      lastPolledAt: Object.values(s.last).reduce<Date | undefined>((a, r) => (r && (!a || r.at > a) ? r.at : a), undefined),
      rttMs: num(icmpFresh?.fields.rtt_avg_ms), lossPct: num(icmp?.fields.loss_pct),
      openIncidents: counts.get(s.name) ?? 0,
    };
  };

  const deviceList = (): DeviceStatus[] => {
    const byName = new Map(parts.inventory().map((d) => [d.name, d]));
    const maintenance = inMaintenance();
    const counts = openCounts();
    return states.list().map((s) => statusOf(s, byName.get(s.name), maintenance, counts));
  };
  const deviceOne = (name: string): DeviceStatus | undefined => {
    const s = states.get(name);
    if (!s) return undefined;
    return statusOf(s, parts.inventory().find((d) => d.name === name), inMaintenance(), openCounts());
  };

  const windowOf = (w: EngineWindow & WindowStatus): MaintenanceWindow | undefined => {
    const start = w.start ?? (w.spec.start ? new Date(w.spec.start) : undefined);
    const end = w.end ?? (w.spec.end ? new Date(w.spec.end) : undefined);
    if (!start || !end) return undefined;
    return {
      id: w.id, reason: w.spec.reason, devices: w.spec.devices ?? [], sites: w.spec.sites ?? [], tags: w.spec.deviceTags ?? [],
      startsAt: start, endsAt: end, createdBy: w.createdBy ?? w.spec.owner, readOnly: w.source === 'config',
    };
  };

  // One listener on each source, fanned out to the open streams: the engine cannot remove listeners.
  const subscribers = new Set<(e: LiveEvent) => void>();
  const emit = (e: LiveEvent) => { for (const fn of subscribers) fn(e); };
  const emitDevice = (name: string | undefined) => {
    if (!name || subscribers.size === 0) return;
    const d = deviceOne(name);
    if (d) emit({ type: 'device', device: d });
  };
  const detach = states.onStatusChange((s) => emitDevice(s.name));
  engine.addListener({
    onIncidentEvent(event: IncidentEvent) {
      if (subscribers.size === 0) return;
      emit({ type: 'incident', event });
      // The device's open incident count changed with it.
      emitDevice(event.incident.device);
    },
  });

  return {
    devices: {
      list: deviceList,
      get: deviceOne,
      latestSamples: (name) => latest.of(name),
    },
    metrics: {
      async series(q) {
        return parts.reader.series({
          measurement: q.measurement, field: q.field, from: q.from, to: q.to, intervalMs: q.stepMs,
          where: { device: q.device, ...q.where },
          groupBy: Object.keys(q.where).length > 0 ? [] : ['device'],
        });
      },
    },
    incidents: {
      listIncidents(since) {
        const open = engine.listIncidents({ state: ['open', 'acknowledged'], limit: ALL }).items;
        const resolved = engine.listIncidents({ state: 'resolved', since, limit: ALL }).items;
        return [...open, ...resolved];
      },
      get: (id) => engine.getIncident(id)?.incident,
      timeline: (id) => engine.getIncident(id)?.timeline ?? [],
      listAlerts(since) {
        const incidentOf = new Map<string, string>();
        for (const i of engine.listIncidents({ state: ['open', 'acknowledged'], limit: ALL }).items) {
          for (const a of i.alerts) incidentOf.set(a.fingerprint, i.id);
        }
        const active = engine.activeAlerts();
        const seen = new Set(active.map((a) => a.fingerprint + a.startsAt.getTime()));
        const ended = engine.listAlerts({ state: 'resolved', since, limit: ALL }).items.filter((a) => !seen.has(a.fingerprint + a.startsAt.getTime()));
        return [...active, ...ended].map((a): AlertRecord => ({ ...a, incidentId: incidentOf.get(a.fingerprint) }));
      },
      acknowledge: (id, by, note) => (parts.escalation ? parts.escalation.acknowledge(id, by, note) : engine.acknowledge(id, by, note)),
      unacknowledge: (id, by) => engine.unacknowledge(id, by),
      resolve: (id, by, note) => engine.resolve(id, by, note),
      comment: (id, by, note) => engine.comment(id, by, note),
    },
    maintenance: {
      list: () => engine.maintenance.list().map(windowOf).filter((w): w is MaintenanceWindow => w !== undefined),
      create(w) {
        const created = engine.maintenance.create({
          name: `api-${w.startsAt.toISOString()}`, reason: w.reason, owner: w.createdBy,
          ...(w.devices.length ? { devices: w.devices } : {}), ...(w.sites.length ? { sites: w.sites } : {}),
          ...(w.tags.length ? { deviceTags: w.tags } : {}),
          start: w.startsAt.toISOString(), end: w.endsAt.toISOString(),
        }, w.createdBy);
        const listed = engine.maintenance.get(created.id);
        return { ...windowOf(listed!)!, createdAt: now() };
      },
      endEarly(id, by, at) {
        const w = engine.maintenance.get(id);
        if (!w || w.source !== 'api') return undefined;
        const start = w.start ?? new Date(w.spec.start!);
        // A window that has not begun cannot end before it starts: ending it early means dropping it.
        if (start.getTime() >= at.getTime()) {
          engine.maintenance.delete(id);
          return { ...windowOf(w)!, endsAt: at, endedEarlyBy: by };
        }
        const { timezone, ...spec } = w.spec;
        engine.maintenance.update(id, { ...spec, timezone, end: at.toISOString() });
        return { ...windowOf(engine.maintenance.get(id)!)!, endedEarlyBy: by };
      },
      remove: (id) => engine.maintenance.delete(id),
    },
    config: parts.config,
    onCall: {
      current(at): OnCallEntry[] {
        if (!parts.escalation) return [];
        const out: OnCallEntry[] = [];
        (parts.onCallSchedules ?? []).forEach((schedule, i) => {
          const who = parts.escalation!.onCall(schedule, at);
          if (who) out.push({ tier: i + 1, schedule, name: who.person, until: who.shiftEnd });
        });
        return out;
      },
    },
    health: {
      readiness(): Readiness {
        const r = parts.influx?.readiness();
        const influx = !r ? 'down' : r.spooling ? 'spooling' : r.influx === 'reachable' ? 'reachable' : 'down';
        let lastCycleAt: Date | undefined;
        for (const s of states.list()) {
          for (const rec of Object.values(s.last)) if (rec && (!lastCycleAt || rec.at > lastCycleAt)) lastCycleAt = rec.at;
        }
        return { configLoaded: true, influx, schedulerRunning: parts.schedulerRunning(), lastCycleAt };
      },
    },
    live: {
      subscribe(listener) {
        subscribers.add(listener);
        return () => { subscribers.delete(listener); };
      },
    },
    registry: parts.metrics,
    reports: parts.reports,
    paging: parts.paging ? pagingPort(parts.paging, engine) : undefined,
    close() {
      detach();
      subscribers.clear();
    },
  };
}

/** Escalation as the API's paging port; a link acknowledgement says whether it changed anything. */
function pagingPort(paging: NonNullable<RuntimeParts['paging']>, engine: AlertEngine): PagingService {
  return {
    outboxStats: () => paging.outboxStats(),
    failedNotices: (limit) => paging.failedNotices(limit),
    retryNotice: (id) => paging.retryNotice(id),
    slaRecord: (id) => paging.slaRecord(id),
    acknowledgeWithToken(token) {
      const check = paging.verifyAckToken(token);
      // The state before acting tells "you acknowledged it" from "it was already taken" on the page.
      const before = check.ok ? engine.getIncident(check.incidentId)?.incident.state : undefined;
      const result = paging.acknowledgeWithToken(token);
      if (!result.ok) return result;
      return { ok: true, incident: result.incident, changed: before === 'open' && result.incident.state === 'acknowledged' };
    },
  };
}
