import { LatestSamples } from '../api/latest-samples.js';
import type { LoadedConfig } from '../config-check/load.js';
import { createAssetSink } from '../service/assets/sink.js';
import type { DeviceSetChange } from '../scheduler/options.js';
import { startApiAndReports } from './api-and-reports.js';
import { configBackupApi, startConfigBackupPart } from './config-backup.js';
import { consumerSelfSamples, startConsumers } from './consumers.js';
import { startEventsPart } from './events.js';
import { openStandaloneState } from './state-store.js';
import { topologyRoot } from '../topology/root.js';
import { startDiscoveryPart } from './discovery.js';
import { warnRestartOnly, reloadAlerts } from './reload.js';
import { addExtraSinks, buildPollers, closePollersLast, createScheduler, every, startScheduler, stopRuntime, type RuntimeServices } from './services.js';
import type { NoctuaRuntime, StartOptions } from './types.js';

/**
 * Everything in one process (`cluster.role: standalone`): the scheduler polls the whole inventory into the
 * bus, which feeds the InfluxDB writer, the alert engine (and escalation behind it) and the latest-samples
 * view the API reads. On a failed start, what did start is stopped before the error goes up.
 */
export async function startStandalone(cfg: LoadedConfig, s: RuntimeServices, opts: StartOptions): Promise<NoctuaRuntime> {
  const { log, clock, bus, closers } = s;
  let current = cfg;
  let running = true;
  try {
    const db = await openStandaloneState(cfg, s, () => { running = false; void stopRuntime(s); });
    closers.add('state database', () => db.close());
    addExtraSinks(s, opts);
    const backup = await startConfigBackupPart(s, cfg, () => current);
    const consumers = await startConsumers(cfg, log, db, clock, closers, {
      noStorage: opts.noStorage, configChanges: (d, at) => backup.changesBefore(d, at), lastSelfSamples: { instance: s.instance, publish: (x) => bus.publish(x) }, publish: (x) => bus.publish(x),
    });
    for (const sink of consumers.sinks) bus.add(sink);
    bus.add(createAssetSink(db, () => current.devices, clock, log));
    every(s, 'self samples', cfg.settings.scheduler.selfInterval, () => { void bus.publish(consumerSelfSamples(consumers, s.instance, clock.now())); });
    const pollers = opts.pollers ?? buildPollers(cfg, log, clock);
    closePollersLast(s, pollers);
    const scheduler = createScheduler(s, cfg, pollers, opts);
    const change = scheduler.setDevices(cfg.devices);
    startScheduler(s, scheduler, () => current.settings.scheduler.drainTimeout);
    const latest = new LatestSamples();
    bus.add(latest);
    await startEventsPart(s, cfg, () => current, scheduler, latest);

    const discovery = startDiscoveryPart(s, cfg, () => current, latest, consumers.topology);
    const reload = (next: LoadedConfig): DeviceSetChange => {
      warnRestartOnly(current, next, log, true);
      scheduler.setLimits({ concurrency: next.settings.scheduler.concurrency, deadlineFraction: next.settings.scheduler.deadlineFraction });
      const c = scheduler.setDevices(next.devices);
      reloadAlerts(consumers.alerts, next);
      consumers.topology.setInventory(next.devices, { ...next.settings.topology, root: topologyRoot(next.settings.topology.root, next.devices) });
      current = next;
      log.info({ added: c.added, removed: c.removed, changed: c.changed, devices: scheduler.deviceNames().length }, 'inventory reloaded');
      return c;
    };
    const { api, reports } = await startApiAndReports(s, {
      cfg, current: () => current, db, consumers, states: s.devices, latest, running: () => running, reload: (next) => { reload(next); }, noApi: opts.noApi,
      configBackups: configBackupApi(backup), configBackupReports: backup.reportSource, discovery,
    });
    const sched = cfg.settings.scheduler;
    log.info({ devices: change.added.length, disabled: cfg.devices.filter((d) => !d.enabled).length, sites: cfg.sites.length, pollers: Object.keys(pollers).join(', '),
      icmpBackend: (pollers.icmp as { backend?: string } | undefined)?.backend ?? sched.icmpBackend, concurrency: sched.concurrency }, 'noctua started');
    return {
      bus, devices: s.devices, metrics: s.metrics, scheduler, db, api, reports,
      storage: consumers.storage, alerts: consumers.alerts, escalation: consumers.escalation,
      reload,
      stop: async () => { running = false; await stopRuntime(s); },
    };
  } catch (err) {
    await closers.closeAll();
    throw err;
  }
}
