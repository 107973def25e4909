/**
 * The API's services over the real modules of a running Noctua: the scheduler's device-state registry,
 * the alert engine (incidents, alerts, maintenance), escalation (acknowledgements that stop paging,
 * on-call, acknowledge links), storage's query reader and the InfluxDB writer's health. The runtime
 * builds one of these and hands it to startApiServer. Business rules live in the modules that own them
 * (alerting/alerts-view.ts, alerting/maintenance.ts); this file only adapts.
 */
import type { Registry } from 'prom-client';
import type { Device } from '../config/inventory-schema.js';
import type { Db } from '../core/database.js';
import type { IncidentEvent, IncidentView } from '../core/incident.js';
import { alertsSince, incidentsSince, openIncidentCounts } from '../alerting/alerts-view.js';
import type { AlertEngine } from '../alerting/engine.js';
import { CompiledWindow, endWindowEarly } from '../alerting/maintenance.js';
import type { DevicePollState, DeviceStateRegistry } from '../scheduler/device-state.js';
import type { InfluxReader } from '../storage/queries.js';
import type { InfluxReadiness } from '../storage/influx/sink.js';
import { ackLinkService, type EscalationPaging } from './ack-links.js';
import { eventServiceOverInflux } from './services/events.js';
import type { LatestSamples } from './latest-samples.js';
import { topologyView } from './services/topology.js';
import type { ApiServices, ConfigService, DeviceSummary, LiveEvent, OnCallEntry, Readiness, ReportService } from './services/index.js';

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
  reader: Pick<InfluxReader, 'series'> & Partial<Pick<InfluxReader, 'query'>>;
  /** The InfluxDB writer's health; absent when nothing is written to InfluxDB. */
  influx?: { readiness(): InfluxReadiness };
  schedulerRunning: () => boolean;
  metrics: Registry;
  config: ConfigService;
  /** Escalation's outbox, SLA records and acknowledge links (the same service as `escalation`, when there is one). */
  paging?: EscalationPaging;
  /**
   * The state database, where acknowledge tokens that acted are recorded so each acts once across restarts.
   * Without it they are recorded in a database in memory (once per process).
   */
  db?: Db;
  /** Configuration backup, where the process runs it. */
  configBackups?: ApiServices['configBackups'];
  /** The report store over the state directory (src/api/routes/reports-store.ts). */
  reports?: ReportService;
  /** Problem records and the knowledge base (src/service/management.ts). */
  problemRecords?: ApiServices['problemRecords'];
  knowledge?: ApiServices['knowledge'];
  /** LLDP/CDP links and derived parents (src/topology); the API joins them with live device state. */
  topology?: Parameters<typeof topologyView>[0];
  /** The asset register (src/service/assets). */
  assets?: ApiServices['assets'];
  /** Scheduled discovery (src/discovery). */
  discovery?: ApiServices['discovery'];
  now?: () => Date;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}
function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** The device directory: the registry's reachability, the inventory, identity and ICMP figures, maintenance and incident counts. */
function deviceDirectory(parts: RuntimeParts) {
  const { engine, states, latest } = parts;
  const inMaintenance = (): ((d: Device) => boolean) => {
    const active = engine.maintenance.list().filter((w) => w.active).map((w) => new CompiledWindow(w));
    return (d) => active.some((w) => w.covers(d));
  };
  const summaryOf = (s: Readonly<DevicePollState>, d: Device | undefined, maintenance: (d: Device) => boolean, counts: Map<string, number>): DeviceSummary => {
    const system = latest.one(s.name, 'system');
    const icmp = latest.one(s.name, 'icmp');
    const icmpFresh = icmp && s.status !== 'unreachable' ? icmp : undefined;
    return {
      name: s.name, address: s.address, site: s.site, class: (d?.class ?? s.class) as DeviceSummary['class'],
      tags: [...(d?.tags ?? [])], description: d?.description,
      vendor: str(system?.fields.vendor) ?? str(system?.tags.vendor), model: str(system?.fields.model), sysName: str(system?.fields.sysName),
      state: d && maintenance(d) ? 'maintenance' : s.status, reason: s.reason, stateSince: s.since,
      lastPolledAt: Object.values(s.last).reduce<Date | undefined>((a, r) => (r && (!a || r.at > a) ? r.at : a), undefined),
      rttMs: num(icmpFresh?.fields.rtt_avg_ms), lossPct: num(icmp?.fields.loss_pct),
      openIncidents: counts.get(s.name) ?? 0,
    };
  };
  return {
    list(): DeviceSummary[] {
      const byName = new Map(parts.inventory().map((d) => [d.name, d]));
      const maintenance = inMaintenance();
      const counts = openIncidentCounts(engine);
      return states.list().map((s) => summaryOf(s, byName.get(s.name), maintenance, counts));
    },
    get(name: string): DeviceSummary | undefined {
      const s = states.get(name);
      if (!s) return undefined;
      return summaryOf(s, parts.inventory().find((d) => d.name === name), inMaintenance(), openIncidentCounts(engine));
    },
    latestSamples: (name: string) => latest.of(name),
  };
}

/** Builds {@link ApiServices} over the running parts; `close` detaches the live feed from the registry. */
// Long as a whole: a closure over the live feed's subscribers that returns one object of small services.
export function runtimeServices(parts: RuntimeParts): ApiServices & { close(): void } {
  const now = parts.now ?? (() => new Date());
  const { engine, states } = parts;
  const devices = deviceDirectory(parts);

  // One listener on each source, fanned out to the open streams: the engine cannot remove listeners.
  const subscribers = new Set<(e: LiveEvent) => void>();
  const emit = (e: LiveEvent) => { for (const fn of subscribers) fn(e); };
  const emitDevice = (name: string | undefined) => {
    if (!name || subscribers.size === 0) return;
    const d = devices.get(name);
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

  const query = parts.reader.query;
  return {
    devices,
    ...(query ? { events: eventServiceOverInflux({ query }) } : {}),
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
      listIncidents: (since) => incidentsSince(engine, since),
      get: (id) => engine.getIncident(id)?.incident,
      timeline: (id) => engine.getIncident(id)?.timeline ?? [],
      listAlerts: (since) => alertsSince(engine, since),
      acknowledge: (id, by, note) => (parts.escalation ? parts.escalation.acknowledge(id, by, note) : engine.acknowledge(id, by, note)),
      unacknowledge: (id, by) => engine.unacknowledge(id, by),
      resolve: (id, by, note) => engine.resolve(id, by, note),
      comment: (id, by, note) => engine.comment(id, by, note),
    },
    maintenance: {
      list: () => engine.maintenance.list(),
      create: (input, by) => engine.maintenance.get(engine.maintenance.create(input, by).id)!,
      endEarly: (id, at) => endWindowEarly(engine.maintenance, id, at),
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
        const influxTargets = r?.targets?.map((t) => ({ state: t.state, spoolPoints: t.spoolPoints }));
        return { configLoaded: true, influx, ...(influxTargets ? { influxTargets } : {}), schedulerRunning: parts.schedulerRunning(), lastCycleAt };
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
    problemRecords: parts.problemRecords,
    knowledge: parts.knowledge,
    topology: parts.topology ? topologyView(parts.topology, devices, (name) => parts.inventory().find((d) => d.name === name)?.parent) : undefined,
    configBackups: parts.configBackups,
    assets: parts.assets,
    discovery: parts.discovery,
    paging: parts.paging ? ackLinkService(parts.paging, engine, parts.db, now) : undefined,
    close() {
      detach();
      subscribers.clear();
    },
  };
}
