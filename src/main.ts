import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadedConfig } from './config/loader.js';
import { SampleBus, type Sink } from './core/bus.js';
import { systemClock, type Clock } from './core/clock.js';
import type { Logger } from './core/log.js';
import { createIcmpPollerFor } from './pollers/icmp/index.js';
import { createInventoryPoller, createSnmpPoller } from './pollers/snmp/index.js';
import { DeviceStateRegistry } from './scheduler/device-state.js';
import { PollScheduler, type DeviceSetChange, type SchedulerPollers } from './scheduler/scheduler.js';
import { SelfMetrics } from './scheduler/self-metrics.js';
import type { Ticker } from './scheduler/ticker.js';

/** What tests and embedders may replace when starting Noctua. */
export interface StartOptions {
  /** Sinks added to those the configuration builds (tests use an in-memory sink). */
  sinks?: Sink[];
  /** Pollers to use instead of the real ones (tests). */
  pollers?: SchedulerPollers;
  clock?: Clock;
  ticker?: Ticker;
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
  /** Applies a reloaded configuration: the inventory and the scheduler limits; other settings need a restart. */
  reload(cfg: LoadedConfig): DeviceSetChange;
  /** Drains in-flight polls (up to `scheduler.drainTimeout`), flushes and closes sinks and pollers. */
  stop(): Promise<void>;
}

/**
 * The sinks the configuration asks for. The InfluxDB writer and the alert engine are wired here
 * when they land; until then samples reach only the sinks passed in `StartOptions.sinks`.
 */
export function buildSinks(_cfg: LoadedConfig, _log: Logger): Sink[] {
  return [];
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

/** Wiring only: builds the parts from the configuration, connects them and starts them. */
export async function startNoctua(cfg: LoadedConfig, log: Logger, opts: StartOptions = {}): Promise<NoctuaRuntime> {
  const clock = opts.clock ?? systemClock;
  const bus = new SampleBus((sink, err) => log.error({ err, sink }, 'sink failed to take a batch'));
  for (const s of [...buildSinks(cfg, log), ...(opts.sinks ?? [])]) bus.add(s);
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
  const kinds = Object.keys(pollers).join(', ');
  log.info({ devices: change.added.length, disabled: cfg.devices.filter((d) => !d.enabled).length, sites: cfg.sites.length, pollers: kinds,
    icmpBackend: (pollers.icmp as { backend?: string } | undefined)?.backend ?? sched.icmpBackend, concurrency: sched.concurrency }, 'noctua started');

  let current = cfg;
  let stopping: Promise<void> | undefined;
  return {
    bus, devices, metrics, scheduler,
    reload(next) {
      if (restartOnly(next) !== restartOnly(current)) log.warn('noctua.yaml changed beyond scheduler.concurrency/deadlineFraction: those changes apply at the next restart');
      scheduler.setLimits({ concurrency: next.settings.scheduler.concurrency, deadlineFraction: next.settings.scheduler.deadlineFraction });
      const c = scheduler.setDevices(next.devices);
      current = next;
      log.info({ added: c.added, removed: c.removed, changed: c.changed, devices: scheduler.deviceNames().length }, 'inventory reloaded');
      return c;
    },
    stop() {
      stopping ??= (async () => {
        const { abandoned } = await scheduler.stop(current.settings.scheduler.drainTimeout);
        if (abandoned > 0) log.warn({ abandoned, drainTimeoutMs: current.settings.scheduler.drainTimeout }, 'polls abandoned at the drain deadline');
        await Promise.all(Object.values(pollers).map(async (p) => {
          try { await p?.close(); } catch (err) { log.warn({ err, kind: p?.kind }, 'poller did not close cleanly'); }
        }));
        await bus.close();
        log.info('noctua stopped');
      })();
      return stopping;
    },
  };
}
