import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadedConfig } from './config-check/load.js';
import { SampleBus, type Sink } from './core/bus.js';
import { systemClock, type Clock } from './core/clock.js';
import type { Logger } from './core/log.js';
import { createIcmpPollerFor } from './pollers/icmp/index.js';
import { createInventoryPoller, createSnmpPoller } from './pollers/snmp/index.js';
import { DeviceStateRegistry } from './scheduler/device-state.js';
import { PollScheduler, type DeviceSetChange, type SchedulerPollers } from './scheduler/scheduler.js';
import { SelfMetrics } from './scheduler/self-metrics.js';
import type { Ticker } from './scheduler/ticker.js';
import { hostname } from 'node:os';
import { openStateDb, type Db } from './core/database.js';
import type { Sample } from './core/sample.js';
import { createInfluxSink, type InfluxSink } from './storage/index.js';
import { createAlertEngine, type AlertEngine } from './alerting/engine.js';
import { parseAlertRules } from './alerting/rules.js';
import { LatestSamples } from './api/latest-samples.js';
import { runtimePorts } from './api/runtime-ports.js';
import type { Registry } from 'prom-client';
import { API_PREFIX } from './api/app.js';
import { reportStoreFor } from './api/routes/reports-store.js';
import { startApiServer, type ApiServer } from './api/server.js';
import { configServiceFor } from './api/config-service.js';
import { createInfluxReader } from './storage/index.js';
import { startReportScheduler, type ReportScheduler } from './reports/schedule.js';
import { InfluxMetricsSource } from './reports/influx-source.js';
import { AlertStoreIncidentSource } from './reports/alert-store-source.js';
import { createEscalationService, type EscalationService } from './alerting/escalation/index.js';
import { clusterRoles } from './config/sections/cluster.js';
import { ClusterKeys } from './cluster/keys.js';
import { createClusterRedis } from './cluster/redis-client.js';
import { CounterHandoff } from './cluster/counter-handoff.js';
import { createSampleForwarder, type SampleForwarder } from './cluster/sample-forwarder.js';
import { DeviceShare } from './cluster/device-share.js';
import { RedisLeaseStore } from './cluster/lease.js';
import { devicesOfGroup } from './cluster/groups.js';
import { CoreRole } from './cluster/core-role.js';
import { RemoteDeviceState } from './cluster/remote-device-state.js';
import { readClusterStatus } from './cluster/status.js';
import type { SnmpPoller } from './pollers/snmp/index.js';

/** What tests and embedders may replace when starting Noctua. */
export interface StartOptions {
  /** Sinks added to those the configuration builds (tests use an in-memory sink). */
  sinks?: Sink[];
  /** Pollers to use instead of the real ones (tests). */
  pollers?: SchedulerPollers;
  clock?: Clock;
  ticker?: Ticker;
  /** Leave out the InfluxDB writer (tests that only look at samples). */
  noStorage?: boolean;
  /** Leave out the HTTP API even when `api.enabled` (tests that only look at samples). */
  noApi?: boolean;
  /** Cluster core: called when another core took the leader lease; by default the process exits at once (docs/SCALE.md). */
  onLeadershipLost?: () => void;
  /** Cluster core: aborting this ends a standby's wait for the leader lease (by default SIGINT/SIGTERM end the process). */
  standbySignal?: AbortSignal;
}

/** A running Noctua: whatever parts the configuration enables, wired together. */
export interface NoctuaRuntime {
  /** Every batch of samples passes through here to the sinks. */
  readonly bus: SampleBus;
  /** Up/down/unreachable state of every scheduled device (the API reads it). */
  readonly devices: DeviceStateRegistry;
  /** Self-monitoring; `metrics.registry` is the prom-client Registry for /metrics. */
  readonly metrics: SelfMetrics;
  readonly scheduler: PollScheduler;
  /** The InfluxDB writer with its spool (absent with `noStorage`). */
  readonly storage?: InfluxSink;
  /** The alert engine (with no rules when there is no alerts.yaml). */
  readonly alerts: AlertEngine;
  /** Escalation and notices (absent without notify.yaml). */
  readonly escalation?: EscalationService;
  /** The state database shared by alerts, escalation and the outbox. */
  readonly db: Db;
  /** The HTTP API and wall, when enabled. */
  readonly api?: ApiServer;
  /** The weekly and monthly report schedules. */
  readonly reports?: ReportScheduler;
  /** Applies a reloaded configuration: the inventory and the scheduler limits; other settings need a restart. */
  reload(cfg: LoadedConfig): DeviceSetChange;
  /** Drains in-flight polls (up to `scheduler.drainTimeout`), flushes and closes sinks and pollers. */
  stop(): Promise<void>;
}

/** The parts that consume samples: the InfluxDB writer, the alert engine and escalation behind it. */
export interface SampleConsumers {
  storage?: InfluxSink;
  alerts: AlertEngine;
  escalation?: EscalationService;
  sinks: Sink[];
}

/**
 * Builds the writer, the alert engine and escalation from the configuration. Alert events go straight
 * to the writer (for Grafana annotations), not back through the bus, so the engine never sees its own output.
 */
export async function buildConsumers(cfg: LoadedConfig, log: Logger, db: Db, clock: Clock, opts: { noStorage?: boolean } = {}): Promise<SampleConsumers> {
  const sinks: Sink[] = [];
  const storage = opts.noStorage ? undefined : await createInfluxSink({ settings: cfg.settings.influx, stateDir: cfg.stateDir, log: log.child({ component: 'writer' }), clock });
  if (storage) sinks.push(storage);
  let escalation: EscalationService | undefined;
  if (!cfg.alerts) log.warn(`no alerts.yaml in ${cfg.dir}: no alert rules (incidents and maintenance windows still work through the API)`);
  {
    const writeEvents = (samples: Sample[]) => {
      storage?.write(samples).catch((err: unknown) => log.error({ err }, 'alert events not written'));
    };
    // Without alerts.yaml the engine still runs, with no rules: the API's incidents and maintenance need it.
    const alerts: AlertEngine = createAlertEngine({ db, rules: cfg.alerts ?? parseAlertRules('rules: []\n', 'alerts.yaml'), devices: cfg.devices, clock, log: log.child({ component: 'alerts' }), onAlertEvents: writeEvents, locale: cfg.settings.locale });
    if (cfg.notify) {
      escalation = createEscalationService({
        db, config: cfg.notify, clock, log: log.child({ component: 'escalation' }), actions: alerts,
        locale: cfg.settings.locale, publicUrl: cfg.settings.api.publicUrl, timezone: cfg.settings.timezone,
      });
      alerts.addListener(escalation);
    } else {
      log.warn(`no notify.yaml in ${cfg.dir}: incidents are recorded but nobody is paged`);
    }
    sinks.push(alerts);
    return { storage, alerts, escalation, sinks };
  }
}

/** `noctua_self` samples of the writer, spool and outbox, which have no scheduler of their own. */
function consumerSelfSamples(c: SampleConsumers, instance: string, now: Date): Sample[] {
  const out: Sample[] = c.storage ? c.storage.selfSamples(now).map((s) => ({ ...s, tags: { instance, ...s.tags } })) : [];
  if (c.escalation) {
    const st = c.escalation.outboxStats();
    out.push({ measurement: 'noctua_self', tags: { component: 'outbox', instance }, fields: { outbox_pending: st.pending, outbox_failed: st.failed }, time: now });
  }
  return out;
}

/** The real pollers: ICMP over the configured backend, SNMP and inventory over net-snmp with the built-in and config/profiles. */
export function buildPollers(cfg: LoadedConfig, log: Logger, clock: Clock): SchedulerPollers {
  const profiles = join(cfg.dir, 'profiles');
  const snmpOpts = { log: log.child({ poller: 'snmp' }), clock, profileDirs: existsSync(profiles) ? [profiles] : [] };
  const snmp = createSnmpPoller(snmpOpts);
  const inventory = createInventoryPoller({ ...snmpOpts, log: log.child({ poller: 'inventory' }) });
  const icmp = createIcmpPollerFor({
    backend: cfg.settings.scheduler.icmpBackend,
    parallel: cfg.settings.scheduler.concurrency,
    vendorOf: (name) => snmp.vendorOf(name) ?? inventory.vendorOf(name),
    clock,
  });
  return { icmp, snmp, inventory };
}

/** Settings that only take effect at start; a reload that changes them says so. */
function restartOnly(cfg: LoadedConfig): string {
  const { scheduler, ...rest } = cfg.settings;
  const { concurrency: _c, deadlineFraction: _d, ...sched } = scheduler;
  return JSON.stringify({ ...rest, scheduler: sched });
}

/** What the API and the report schedules read and act through, in a standalone process or a leading core. */
interface ServiceParts {
  cfg: LoadedConfig;
  /** The configuration in force (it changes on reload). */
  current: () => LoadedConfig;
  log: Logger;
  clock: Clock;
  db: Db;
  consumers: SampleConsumers;
  states: DeviceStateRegistry;
  latest: LatestSamples;
  metrics: Registry;
  running: () => boolean;
  reload: (next: LoadedConfig) => void;
  noApi?: boolean;
}

/** The sources a report is computed from, read afresh for each report (the inventory may have been reloaded). */
function reportSources(current: LoadedConfig, db: Db) {
  const influx = current.settings.influx;
  return {
    metrics: new InfluxMetricsSource({ url: influx.url, database: influx.database, username: influx.username, password: influx.password }),
    incidents: new AlertStoreIncidentSource(db),
    inventory: current.devices.filter((d) => d.enabled).map((d) => ({ name: d.name, site: d.site, class: d.class })),
  };
}

/** Starts the HTTP API (when enabled) and the weekly/monthly report schedules, announced through escalation. */
async function startServices(p: ServiceParts): Promise<{ api?: ApiServer; ports?: ReturnType<typeof runtimePorts>; reports: ReportScheduler }> {
  const { cfg, log, consumers } = p;
  let api: ApiServer | undefined;
  let ports: ReturnType<typeof runtimePorts> | undefined;
  if (cfg.settings.api.enabled && !p.noApi) {
    ports = runtimePorts({
      inventory: () => p.current().devices, states: p.states, latest: p.latest, engine: consumers.alerts, escalation: consumers.escalation,
      onCallSchedules: cfg.notify ? Object.keys(cfg.notify.schedules ?? {}) : [],
      reader: createInfluxReader(cfg.settings.influx), influx: consumers.storage, schedulerRunning: p.running,
      metrics: p.metrics,
      config: configServiceFor(cfg.dir, async (next) => { p.reload(next); }),
      paging: consumers.escalation,
      reports: reportStoreFor({
        stateDir: cfg.stateDir, timeZone: cfg.settings.timezone, locale: cfg.settings.locale,
        sources: () => reportSources(p.current(), p.db),
      }),
    });
    api = await startApiServer({ settings: cfg.settings.api, ports, log: log.child({ component: 'api' }), locale: cfg.settings.locale });
  }
  const reports = startReportScheduler({
    stateDir: cfg.stateDir, timeZone: cfg.settings.timezone, locale: cfg.settings.locale, schedule: cfg.settings.reports,
    sources: () => reportSources(p.current(), p.db),
    announce: (a) => {
      // The scheduler's link is the path under the API; people open it at api.publicUrl.
      const base = cfg.settings.api.publicUrl?.replace(/\/+$/, '');
      const link = base ? `${base}${API_PREFIX}${a.link}` : undefined;
      const queued = consumers.escalation?.announceReport({
        kind: a.kind, period: a.period.label, title: a.title, verdict: a.verdict, attentionCount: a.attentionCount, files: a.files, link,
      }) ?? 0;
      log.info({ report: a.title, verdict: a.verdict, link: link ?? a.link, files: a.files.map((f) => f.path), notices: queued }, 'report ready');
    },
    clock: p.clock, log: log.child({ component: 'reports' }),
  });
  return { api, ports, reports };
}

/** Wiring only: builds the parts from the configuration, connects them and starts them. */
export async function startNoctua(cfg: LoadedConfig, log: Logger, opts: StartOptions = {}): Promise<NoctuaRuntime> {
  if (clusterRoles(cfg.settings.cluster).size > 0) return startClusterMember(cfg, log, opts);
  const clock = opts.clock ?? systemClock;
  const bus = new SampleBus((sink, err) => log.error({ err, sink }, 'sink failed to take a batch'));
  const db = openStateDb(cfg.stateDir);
  const consumers = await buildConsumers(cfg, log, db, clock, opts);
  for (const s of [...consumers.sinks, ...(opts.sinks ?? [])]) bus.add(s);
  await consumers.escalation?.start();
  consumers.alerts.start();
  const instance = cfg.settings.scheduler.instance ?? hostname();
  const selfTimer = setInterval(() => {
    void bus.publish(consumerSelfSamples(consumers, instance, clock.now()));
  }, cfg.settings.scheduler.selfInterval);
  selfTimer.unref();
  const pollers = opts.pollers ?? buildPollers(cfg, log, clock);
  const devices = new DeviceStateRegistry(clock);
  const metrics = new SelfMetrics({ instance: cfg.settings.scheduler.instance });
  const sched = cfg.settings.scheduler;
  const scheduler = new PollScheduler({
    pollers, states: devices, metrics, clock, ticker: opts.ticker, log: log.child({ component: 'scheduler' }),
    publish: (batch) => bus.publish(batch),
    concurrency: sched.concurrency, deadlineFraction: sched.deadlineFraction, selfIntervalMs: sched.selfInterval,
  });
  const change = scheduler.setDevices(cfg.devices);
  scheduler.start();
  const latest = new LatestSamples();
  bus.add(latest);
  let current = cfg;
  let running = true;
  const reload = (next: LoadedConfig): DeviceSetChange => {
    if (restartOnly(next) !== restartOnly(current)) log.warn('noctua.yaml changed beyond scheduler.concurrency/deadlineFraction: those changes apply at the next restart');
    scheduler.setLimits({ concurrency: next.settings.scheduler.concurrency, deadlineFraction: next.settings.scheduler.deadlineFraction });
    const c = scheduler.setDevices(next.devices);
    consumers.alerts.setDevices(next.devices);
    if (next.alerts) consumers.alerts.setRules(next.alerts);
    if (Boolean(next.alerts) !== Boolean(current.alerts) || JSON.stringify(next.notify ?? null) !== JSON.stringify(current.notify ?? null)) {
      log.warn('alerts.yaml was added or removed, or notify.yaml changed: that applies at the next restart');
    }
    current = next;
    log.info({ added: c.added, removed: c.removed, changed: c.changed, devices: scheduler.deviceNames().length }, 'inventory reloaded');
    return c;
  };
  const services = await startServices({
    cfg, current: () => current, log, clock, db, consumers, states: devices, latest, metrics: metrics.registry,
    running: () => running, reload: (next) => { reload(next); }, noApi: opts.noApi,
  });
  const { api, ports, reports } = services;
  const kinds = Object.keys(pollers).join(', ');
  log.info({ devices: change.added.length, disabled: cfg.devices.filter((d) => !d.enabled).length, sites: cfg.sites.length, pollers: kinds,
    icmpBackend: (pollers.icmp as { backend?: string } | undefined)?.backend ?? sched.icmpBackend, concurrency: sched.concurrency }, 'noctua started');

  let stopping: Promise<void> | undefined;
  return {
    bus, devices, metrics, scheduler, db, api, reports,
    storage: consumers.storage, alerts: consumers.alerts, escalation: consumers.escalation,
    reload,
    stop() {
      stopping ??= (async () => {
        running = false;
        await api?.close();
        ports?.close();
        await reports.stop();
        const { abandoned } = await scheduler.stop(current.settings.scheduler.drainTimeout);
        if (abandoned > 0) log.warn({ abandoned, drainTimeoutMs: current.settings.scheduler.drainTimeout }, 'polls abandoned at the drain deadline');
        clearInterval(selfTimer);
        await Promise.all(Object.values(pollers).map(async (p) => {
          try { await p?.close(); } catch (err) { log.warn({ err, kind: p?.kind }, 'poller did not close cleanly'); }
        }));
        // The engine goes first so its last events reach escalation and the writer before they close.
        try { await consumers.alerts.stop(); } catch (err) { log.warn({ err }, 'alert engine did not stop cleanly'); }
        try { await consumers.escalation?.stop(); } catch (err) { log.warn({ err }, 'escalation did not stop cleanly'); }
        await bus.publish(consumerSelfSamples(consumers, instance, clock.now()));
        await bus.close();
        db.close();
        log.info('noctua stopped');
      })();
      return stopping;
    },
  };
}

/** The longest a handed-over device's last poll may still run: its longest interval's deadline, at most a minute. */
function settleMs(cfg: LoadedConfig): number {
  let ms = 1000;
  for (const d of cfg.devices) ms = Math.max(ms, Math.min(d.intervals.icmp, d.intervals.snmp) * cfg.settings.scheduler.deadlineFraction);
  return Math.min(60_000, ms + 500);
}

/**
 * Wiring of a cluster member (docs/SCALE.md): a poller polls its share of its group's devices and
 * forwards samples to the group's Redis Stream (disk spool while Redis is away); a core waits for the
 * leader lease, then builds the writer, the alert engine, escalation, the API and reports as a standalone
 * Noctua does and feeds them from the streams. One process may be both.
 */
async function startClusterMember(cfg: LoadedConfig, log: Logger, opts: StartOptions): Promise<NoctuaRuntime> {
  const clock = opts.clock ?? systemClock;
  const section = cfg.settings.cluster;
  const roles = clusterRoles(section);
  const sched = cfg.settings.scheduler;
  const instance = sched.instance ?? hostname();
  const memberId = section.id ?? instance;
  const clog = log.child({ component: 'cluster', member: memberId });
  const redis = createClusterRedis(section.redis, clog, `noctua-${memberId}`);
  const keys = new ClusterKeys(section.redis.keyPrefix);
  const bus = new SampleBus((sink, err) => log.error({ err, sink }, 'sink failed to take a batch'));
  const devices = new DeviceStateRegistry(clock);
  const metrics = new SelfMetrics({ instance: sched.instance });
  let current = cfg;
  let running = true;

  let forwarder: SampleForwarder | undefined;
  let share: DeviceShare | undefined;
  let handoff: CounterHandoff | undefined;
  let pollers: SchedulerPollers = {};
  if (roles.has('poller')) {
    const real = opts.pollers ?? buildPollers(cfg, log, clock);
    handoff = new CounterHandoff(redis, keys, real.snmp as SnmpPoller | undefined, clog);
    pollers = handoff.wrap(real);
    forwarder = await createSampleForwarder({
      redis, stream: keys.stream(section.group), member: memberId, maxLen: section.streamMaxLen, stateDir: cfg.stateDir,
      spoolMaxBytes: cfg.settings.influx.spool.maxBytes, spoolSegmentBytes: cfg.settings.influx.spool.segmentBytes, clock, log: clog,
    });
    bus.add(forwarder);
  }
  for (const s of opts.sinks ?? []) bus.add(s);
  const scheduler = new PollScheduler({
    pollers, states: devices, metrics, clock, ticker: opts.ticker, log: log.child({ component: 'scheduler' }),
    publish: (batch) => bus.publish(batch),
    concurrency: sched.concurrency, deadlineFraction: sched.deadlineFraction, selfIntervalMs: sched.selfInterval,
  });
  scheduler.start();
  if (roles.has('poller')) {
    share = new DeviceShare({
      redis, keys, leases: new RedisLeaseStore(redis), group: section.group, member: memberId, roles: [...roles], heartbeatMs: section.heartbeat,
      inventory: () => devicesOfGroup(current.devices, section), schedule: (d) => { scheduler.setDevices(d); }, handoff: handoff!,
      settleMs: settleMs(cfg), clock, log: clog,
    });
    share.start();
    log.info({ member: memberId, group: section.group, groupDevices: devicesOfGroup(cfg.devices, section).length, heartbeatMs: section.heartbeat }, 'cluster poller started');
  }
  const pollerSelf = setInterval(() => {
    if (!forwarder) return;
    const st = forwarder.stats();
    void bus.publish([{ measurement: 'noctua_self', tags: { component: 'cluster_forwarder', instance, group: section.group },
      fields: { spool_batches: st.records, spool_bytes: st.bytes, forwarded_batches: st.forwardedBatches, spooled_batches: st.spooledBatches, dropped_points: st.droppedPoints, online: st.online ? 1 : 0, devices: share?.heldDevices().length ?? 0 }, time: clock.now() }]);
  }, sched.selfInterval);
  pollerSelf.unref();

  let core: CoreRole | undefined;
  let consumers: SampleConsumers | undefined;
  let db: Db;
  let api: ApiServer | undefined;
  let ports: ReturnType<typeof runtimePorts> | undefined;
  let reports: ReportScheduler | undefined;
  const latest = new LatestSamples();
  let selfTimer: NodeJS.Timeout | undefined;
  /** On a core: every device's state as the pollers' samples tell it (the scheduler's registry holds only local polls). */
  let coreStates: DeviceStateRegistry | undefined;
  if (roles.has('core')) {
    core = new CoreRole({ redis, keys, coreId: memberId, section, clock, log: clog });
    let signal = opts.standbySignal;
    let onSignal: (() => void) | undefined;
    if (!signal) {
      // `noctua start` only listens for signals once this function returns, which a standby does not do
      // for as long as the leader lives: end the standby here, cleanly, on SIGINT/SIGTERM.
      const ac = new AbortController();
      onSignal = () => ac.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      signal = ac.signal;
    }
    const leading = await core.waitForLeadership(signal);
    if (onSignal) { process.off('SIGINT', onSignal); process.off('SIGTERM', onSignal); }
    if (!leading) {
      log.info('standby core stopping before it led');
      await scheduler.stop(sched.drainTimeout);
      await share?.stop();
      await bus.close();
      await core.stop();
      redis.disconnect();
      if (!opts.standbySignal) process.exit(0);
      throw new Error('standby core stopped before it took the leader lease');
    }
    db = openStateDb(cfg.stateDir);
    consumers = await buildConsumers(cfg, log, db, clock, opts);
    await consumers.escalation?.start();
    consumers.alerts.start();
    const c = consumers;
    // The API and the wall show every device as the pollers see it, not only what this process polls.
    coreStates = new DeviceStateRegistry(clock);
    coreStates.sync(cfg.devices.filter((d) => d.enabled));
    const remote = new RemoteDeviceState(coreStates);
    // This process's own samples: through the stream when it also polls, else straight to the writer and engine.
    if (!roles.has('poller')) { for (const s of c.sinks) bus.add(s); bus.add(latest); }
    core.startConsuming(async (samples) => {
      // Acknowledged only once both took the batch: the writer holds it in InfluxDB or its fsync'd spool.
      if (c.storage) { await c.storage.write(samples); await c.storage.flush(); }
      await c.alerts.write(samples);
      await latest.write(samples);
      await remote.write(samples);
    });
    core.keepLeading(() => {
      log.fatal({ lease: keys.leader() }, 'another core holds the leader lease: exiting at once so two alert engines never run');
      if (opts.onLeadershipLost) opts.onLeadershipLost();
      else process.exit(3);
    });
    selfTimer = setInterval(() => {
      void (async () => {
        await bus.publish([...consumerSelfSamples(c, instance, clock.now()), ...(await core!.selfSamples(instance, clock.now()))]);
        try {
          const st = await readClusterStatus(redis, keys);
          const live = new Set(st.groups.filter((g) => g.members.some((m) => m.alive)).map((g) => g.group));
          const reset = remote.orphan(current.devices, section, live);
          if (reset > 0) log.warn({ devices: reset }, 'devices of a group without a live poller: shown as unknown');
        } catch { /* Redis unreachable: states stay as last seen */ }
      })();
    }, sched.selfInterval);
    selfTimer.unref();
    ({ api, ports, reports } = await startServices({
      cfg, current: () => current, log, clock, db, consumers: c, states: coreStates, latest, metrics: metrics.registry,
      running: () => running, reload: (next) => { reload(next); }, noApi: opts.noApi,
    }));
    log.info({ core: memberId, groups: Object.keys(section.groups).length + 1 }, 'cluster core leading: writer, alert engine and escalation running');
  } else {
    // A poller keeps no incidents; a rule-less engine on its own state file keeps the runtime's shape for the API-less process.
    db = openStateDb(cfg.stateDir);
    consumers = { alerts: createAlertEngine({ db, rules: parseAlertRules('rules: []\n', 'alerts.yaml'), devices: [], clock, log: log.child({ component: 'alerts' }), locale: cfg.settings.locale }), sinks: [] };
  }
  const c = consumers;
  const reload = (next: LoadedConfig): DeviceSetChange => {
    if (restartOnly(next) !== restartOnly(current)) log.warn('noctua.yaml changed beyond scheduler.concurrency/deadlineFraction: those changes apply at the next restart');
    scheduler.setLimits({ concurrency: next.settings.scheduler.concurrency, deadlineFraction: next.settings.scheduler.deadlineFraction });
    const before = new Set(current.devices.map((d) => d.name));
    const after = new Set(next.devices.map((d) => d.name));
    current = next;
    share?.inventoryChanged();
    coreStates?.sync(next.devices.filter((d) => d.enabled));
    if (core) {
      c.alerts.setDevices(next.devices);
      if (next.alerts) c.alerts.setRules(next.alerts);
    }
    const change: DeviceSetChange = { added: [...after].filter((n) => !before.has(n)), removed: [...before].filter((n) => !after.has(n)), changed: [] };
    log.info({ added: change.added, removed: change.removed, devices: next.devices.length }, 'inventory reloaded');
    return change;
  };

  let stopping: Promise<void> | undefined;
  return {
    bus, devices: coreStates ?? devices, metrics, scheduler, db, api, reports,
    storage: c.storage, alerts: c.alerts, escalation: c.escalation,
    reload,
    stop() {
      stopping ??= (async () => {
        running = false;
        await api?.close();
        ports?.close();
        await reports?.stop();
        const { abandoned } = await scheduler.stop(current.settings.scheduler.drainTimeout);
        if (abandoned > 0) log.warn({ abandoned, drainTimeoutMs: current.settings.scheduler.drainTimeout }, 'polls abandoned at the drain deadline');
        // Leases and counters go back to Redis before the pollers close, so peers take over at their next round.
        await share?.stop();
        clearInterval(pollerSelf);
        if (selfTimer) clearInterval(selfTimer);
        await Promise.all(Object.values(pollers).map(async (p) => {
          try { await p?.close(); } catch (err) { log.warn({ err, kind: p?.kind }, 'poller did not close cleanly'); }
        }));
        // The consumer stops first and acknowledges only what it delivered; the rest waits in the stream for the next leader.
        await core?.stop();
        if (core) {
          try { await c.alerts.stop(); } catch (err) { log.warn({ err }, 'alert engine did not stop cleanly'); }
          try { await c.escalation?.stop(); } catch (err) { log.warn({ err }, 'escalation did not stop cleanly'); }
        }
        // The forwarder keeps on disk what it could not send, for the next start.
        await bus.close();
        if (core && roles.has('poller')) for (const s of c.sinks) { try { await s.close(); } catch (err) { log.warn({ err, sink: s.name }, 'sink did not close cleanly'); } }
        db.close();
        try { await redis.quit(); } catch { redis.disconnect(); }
        log.info('noctua stopped');
      })();
      return stopping;
    },
  };
}
