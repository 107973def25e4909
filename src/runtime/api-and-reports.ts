import type { DiscoveryView } from '../api/services/discovery.js';
import { API_PREFIX } from '../api/app.js';
import { configServiceFor } from '../api/config-service.js';
import type { LatestSamples } from '../api/latest-samples.js';
import { reportStoreFor } from '../api/routes/reports-store.js';
import { runtimeServices } from '../api/runtime-services.js';
import type { ConfigBackupService } from '../api/services/index.js';
import { startApiServer, type ApiServer } from '../api/server.js';
import type { LoadedConfig } from '../config-check/load.js';
import type { Db } from '../core/database.js';
import { StateDbAssetSource } from '../reports/sources/assets.js';
import { StateDbProblemSource } from '../reports/sources/problem-records.js';
import { createAuth } from '../auth/runtime.js';
import type { ConfigBackupSource } from '../reports/model/config-backup.js';
import { AlertStoreIncidentSource } from '../reports/sources/alert-store.js';
import { reportCalendars, reportOnCall } from '../reports/sources/calendars.js';
import { reportMetricsSource } from '../reports/sources/influx-retention.js';
import { startReportScheduler, type ReportScheduler } from '../reports/schedule.js';
import type { DeviceStateRegistry } from '../scheduler/device-state.js';
import { assetService } from '../service/assets/service.js';
import { createServiceManagement, type ServiceManagement } from '../service/management.js';
import { createInfluxReader, registerInfluxMetrics } from '../storage/index.js';
import type { SampleConsumers } from './consumers.js';
import type { RuntimeServices } from './services.js';

/** What the API and the report schedules read and act through, in a standalone process or a leading core. */
export interface ApiAndReportsParts {
  cfg: LoadedConfig;
  /** The configuration in force (it changes on reload). */
  current: () => LoadedConfig;
  db: Db;
  consumers: SampleConsumers;
  /** The device states the API and wall show. */
  states: DeviceStateRegistry;
  latest: LatestSamples;
  running: () => boolean;
  reload: (next: LoadedConfig) => void;
  noApi?: boolean;
  /** Configuration backup, where this process runs it. */
  configBackups?: ConfigBackupService;
  /** Configuration backup's versions and compliance for the weekly report. */
  configBackupReports?: ConfigBackupSource;
  /** Scheduled discovery, where this process runs it. */
  discovery?: DiscoveryView;
}

/** The sources a report is computed from, read afresh for each report (the inventory may have been reloaded). */
function reportSources(current: LoadedConfig, db: Db, configBackup?: ConfigBackupSource) {
  const influx = current.settings.influx;
  const calendars = reportCalendars(current.notify);
  return {
    metrics: reportMetricsSource(influx),
    incidents: new AlertStoreIncidentSource(db, undefined, calendars.calendars),
    calendar: calendars.calendar,
    onCall: reportOnCall(current.notify, current.settings.timezone),
    problems: new StateDbProblemSource(db),
    assets: new StateDbAssetSource(db, current.devices),
    inventory: current.devices.filter((d) => d.enabled).map((d) => ({ name: d.name, site: d.site, class: d.class })),
    configBackup,
  };
}

/** Vendor and model from the device's latest identification, class from the inventory in force. */
function deviceFacts(p: ApiAndReportsParts) {
  return (device: string) => {
    const system = p.latest.one(device, 'system');
    const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
    return {
      vendor: text(system?.fields.vendor) ?? text(system?.tags.vendor), model: text(system?.fields.model),
      class: p.current().devices.find((d) => d.name === device)?.class,
    };
  };
}

/** Problem records and the knowledge base, fed by the alert engine's incident events. */
function startServiceManagement(s: RuntimeServices, p: ApiAndReportsParts): ServiceManagement {
  const engine = p.consumers.alerts;
  const service = createServiceManagement({
    db: p.db, configDir: p.cfg.dir, settings: () => p.current().settings.service,
    history: (device, since) => engine.listIncidents({ device, since, limit: 1000 }).items,
    facts: deviceFacts(p), log: s.log,
  });
  for (const l of service.listeners) engine.addListener(l);
  return service;
}

/**
 * Starts the weekly/monthly report schedules (announced through escalation) and the HTTP API when enabled,
 * registering their closers: the API stops taking requests first, then its live feed, then the schedules.
 */
export async function startApiAndReports(s: RuntimeServices, p: ApiAndReportsParts): Promise<{ api?: ApiServer; reports: ReportScheduler }> {
  const { cfg, consumers } = p;
  const log = s.log;
  const service = startServiceManagement(s, p);
  const reports = startReportScheduler({
    stateDir: cfg.stateDir, timeZone: cfg.settings.timezone, locale: cfg.settings.locale, schedule: cfg.settings.reports,
    sources: () => reportSources(p.current(), p.db, p.configBackupReports),
    announce: (a) => {
      // The scheduler's link is the path under the API; people open it at api.publicUrl.
      const base = cfg.settings.api.publicUrl?.replace(/\/+$/, '');
      const link = base ? `${base}${API_PREFIX}${a.link}` : undefined;
      const queued = consumers.escalation?.announceReport({
        kind: a.kind, period: a.period.label, title: a.title, verdict: a.verdict, attentionCount: a.attentionCount, files: a.files, link,
      }) ?? 0;
      log.info({ report: a.title, verdict: a.verdict, link: link ?? a.link, files: a.files.map((f) => f.path), notices: queued }, 'report ready');
    },
    clock: s.clock, log: log.child({ component: 'reports' }),
  });
  s.closers.add('report schedules', () => reports.stop());
  if (!cfg.settings.api.enabled || p.noApi) return { reports };
  if (consumers.storage) registerInfluxMetrics(s.metrics.registry, consumers.storage);
  const auth = createAuth({ settings: cfg.settings.auth, db: p.db, log: log.child({ component: 'auth' }), configUsers: () => p.current().settings.auth.users });
  const services = runtimeServices({
    db: p.db, inventory: () => p.current().devices, states: p.states, latest: p.latest, engine: consumers.alerts, escalation: consumers.escalation,
    onCallSchedules: cfg.notify ? Object.keys(cfg.notify.schedules ?? {}) : [],
    reader: createInfluxReader(cfg.settings.influx, { log: log.child({ component: 'reader' }) }), influx: consumers.storage, schedulerRunning: p.running,
    metrics: s.metrics.registry,
    config: configServiceFor(cfg.dir, async (next) => { p.reload(next); }),
    paging: consumers.escalation,
    configBackups: p.configBackups,
    reports: reportStoreFor({
      stateDir: cfg.stateDir, timeZone: cfg.settings.timezone, locale: cfg.settings.locale,
      sources: () => reportSources(p.current(), p.db, p.configBackupReports),
    }),
    problemRecords: service.problems,
    topology: consumers.topology,
    knowledge: {
      entries: service.knowledge, runbook: (name, lang) => service.runbooks.get(name, lang), runbookNames: () => service.runbooks.names(),
      deviceFacts: deviceFacts(p),
    },
    assets: assetService(p.db, () => p.current().devices),
    discovery: p.discovery,
  });
  s.closers.add('API live feed', () => services.close());
  const api = await startApiServer({ settings: cfg.settings.api, services, log: log.child({ component: 'api' }), locale: cfg.settings.locale, auth });
  s.closers.add('HTTP API', () => api.close());
  return { api, reports };
}
