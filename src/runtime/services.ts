import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { LoadedConfig } from '../config-check/load.js';
import { SampleBus } from '../core/bus.js';
import { systemClock, type Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import { createIcmpPollerFor } from '../pollers/icmp/index.js';
import { createInventoryPoller, createSnmpPoller } from '../pollers/snmp/index.js';
import { DeviceStateRegistry } from '../scheduler/device-state.js';
import type { SchedulerPollers } from '../scheduler/options.js';
import { PollScheduler } from '../scheduler/scheduler.js';
import { SelfMetrics } from '../scheduler/self-metrics.js';
import { Closers, type StopReport } from './closers.js';
import type { StartOptions } from './types.js';

/** The real pollers: ICMP over the configured backend, SNMP and inventory over net-snmp with the built-in and config/profiles. */
export function buildPollers(cfg: LoadedConfig, log: Logger, clock: Clock): SchedulerPollers {
  const profiles = join(cfg.dir, 'profiles');
  const l2 = cfg.settings.topology.l2;
  const snmpOpts = {
    log: log.child({ poller: 'snmp' }), clock, profileDirs: existsSync(profiles) ? [profiles] : [],
    l2Limits: { fdb: l2.maxFdbRows, arp: l2.maxArpRows, vlan: l2.maxVlans },
  };
  const snmp = createSnmpPoller(snmpOpts);
  const inventory = createInventoryPoller({ ...snmpOpts, log: log.child({ poller: 'inventory' }) });
  const icmp = createIcmpPollerFor({
    backend: cfg.settings.scheduler.icmpBackend,
    // One system ping process per target without fping: bounded well below the poll ceiling (1,000 by default).
    parallel: Math.min(cfg.settings.scheduler.concurrency, 128),
    vendorOf: (name) => snmp.vendorOf(name) ?? inventory.vendorOf(name),
    clock,
  });
  return { icmp, snmp, inventory };
}

/** What every composition (standalone, cluster member) builds exactly once. */
export interface RuntimeServices {
  clock: Clock;
  /** `scheduler.instance`, or the host name: the `instance` tag of this process's self samples. */
  instance: string;
  bus: SampleBus;
  /** The state of the devices this process polls. */
  devices: DeviceStateRegistry;
  metrics: SelfMetrics;
  closers: Closers;
  log: Logger;
  /** Set by the first {@link stopRuntime}. */
  stopping?: Promise<StopReport>;
}

/** Builds the bus, the device-state registry, the self metrics and the closer list. */
export function createServices(cfg: LoadedConfig, log: Logger, opts: StartOptions): RuntimeServices {
  const clock = opts.clock ?? systemClock;
  return {
    clock, log,
    instance: cfg.settings.scheduler.instance ?? hostname(),
    bus: new SampleBus((sink, err) => log.error({ err, sink }, 'sink failed to take a batch')),
    devices: new DeviceStateRegistry(clock),
    metrics: new SelfMetrics({ instance: cfg.settings.scheduler.instance }),
    closers: new Closers(log),
  };
}

/** Registers closers for the pollers; a poller that fails to close is logged, the others still close. */
export function closePollersLast(s: RuntimeServices, pollers: SchedulerPollers): void {
  s.closers.add('pollers', async () => {
    await Promise.all(Object.values(pollers).map(async (p) => {
      try { await p?.close(); } catch (err) { s.log.warn({ err, kind: p?.kind }, 'poller did not close cleanly'); }
    }));
  });
}

/** Registers closers for sinks given by the embedder (tests), after they were added to the bus. */
export function addExtraSinks(s: RuntimeServices, opts: StartOptions): void {
  for (const sink of opts.sinks ?? []) {
    s.bus.add(sink);
    s.closers.add(`sink ${sink.name}`, () => sink.close());
  }
}

/**
 * Builds the scheduler over `pollers` without starting it; `startScheduler` starts it and registers its closer,
 * which drains polls under way up to `scheduler.drainTimeout` (of the configuration in force at stop).
 */
export function createScheduler(s: RuntimeServices, cfg: LoadedConfig, pollers: SchedulerPollers, opts: StartOptions): PollScheduler {
  const sched = cfg.settings.scheduler;
  return new PollScheduler({
    pollers, states: s.devices, metrics: s.metrics, clock: s.clock, ticker: opts.ticker, log: s.log.child({ component: 'scheduler' }),
    publish: (batch) => s.bus.publish(batch),
    concurrency: sched.concurrency, perAgent: sched.perAgent, deadlineFraction: sched.deadlineFraction, selfIntervalMs: sched.selfInterval,
  });
}

/**
 * Starts the scheduler; its closer drains polls under way for up to the drain timeout in force then and
 * publishes the last self samples. Returns that closer, for a part that must stop the scheduler earlier
 * (sinks attached to the bus after the scheduler started); the second stop does nothing.
 */
export function startScheduler(s: RuntimeServices, scheduler: PollScheduler, drainMs: () => number): () => Promise<void> {
  scheduler.start();
  const stop = async () => {
    const ms = drainMs();
    const { abandoned } = await scheduler.stop(ms);
    if (abandoned > 0) s.log.warn({ abandoned, drainTimeoutMs: ms }, 'polls abandoned at the drain deadline');
  };
  s.closers.add('scheduler', stop, drainMs() + 5000);
  return stop;
}

/** A self-sample timer (unref'd) whose closer stops it. */
export function every(s: RuntimeServices, name: string, ms: number, fn: () => void): void {
  const t = setInterval(fn, ms);
  t.unref();
  s.closers.add(name, () => clearInterval(t));
}

/** Runs every closer once and logs the outcome last ("noctua stopped", with the parts that failed or hung). */
export function stopRuntime(s: RuntimeServices): Promise<StopReport> {
  s.stopping ??= s.closers.closeAll().then((report) => {
    if (report.failed.length + report.timedOut.length > 0) s.log.warn({ failed: report.failed, timedOut: report.timedOut }, 'noctua stopped');
    else s.log.info('noctua stopped');
    return report;
  });
  return s.stopping;
}
