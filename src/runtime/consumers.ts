import { resolve } from 'node:path';
import { createAlertEngine, type AlertEngine } from '../alerting/engine.js';
import { createEscalationService, type EscalationOptions, type EscalationService } from '../alerting/escalation/index.js';
import { parseAlertRules } from '../alerting/rules.js';
import type { LoadedConfig } from '../config-check/load.js';
import type { Sink } from '../core/bus.js';
import type { Clock } from '../core/clock.js';
import type { Db } from '../core/database.js';
import type { Logger } from '../core/log.js';
import type { Sample } from '../core/sample.js';
import { processSample } from '../scheduler/self-metrics.js';
import { createStorageSink, type InfluxSink } from '../storage/index.js';
import { topologyRoot } from '../topology/root.js';
import { TopologyService } from '../topology/service.js';
import { L2Store } from '../topology/l2-store.js';
import { TopologyStore } from '../topology/store.js';
import { RunbookLibrary } from '../service/knowledge/runbooks.js';
import type { Closers } from './closers.js';

/** The parts that consume samples: the InfluxDB writer, the alert engine and escalation behind it. */
export interface SampleConsumers {
  storage?: InfluxSink;
  alerts: AlertEngine;
  escalation?: EscalationService;
  /** LLDP/CDP links and derived parents (docs/TOPOLOGY.md); a sink ahead of the engine so parents are current. */
  topology: TopologyService;
  sinks: Sink[];
}

/**
 * Builds the writer, the alert engine and escalation from the configuration. Alert events go straight
 * to the writer (for Grafana annotations), not back through the bus, so the engine never sees its own output.
 */
export async function buildConsumers(cfg: LoadedConfig, log: Logger, db: Db, clock: Clock, opts: Pick<StartConsumersOptions, 'noStorage' | 'configChanges' | 'publish' | 'storage'> = {}): Promise<SampleConsumers> {
  const sinks: Sink[] = [];
  const storage = opts.noStorage ? undefined : opts.storage ?? await createStorageSink({ settings: cfg.settings.influx, stateDir: cfg.stateDir, log: log.child({ component: 'writer' }), clock });
  if (storage) sinks.push(storage);
  if (!cfg.alerts) log.warn(`no alerts.yaml in ${cfg.dir}: no alert rules (incidents and maintenance windows still work through the API)`);
  const writeEvents = (samples: Sample[]) => {
    storage?.write(samples).catch((err: unknown) => log.error({ err }, 'alert events not written'));
  };
  // Topology events (link-lost, link-restored, mac-moved) take the path trap and syslog events take: the process's bus
  // (a cluster poller's stream, the core's sinks), so rules, the writer and every other sink see them alike. Without
  // a bus (tests building the consumers alone) they go straight to the writer and the engine.
  let alertsRef: AlertEngine | undefined;
  const publish = opts.publish ?? (async (events: Sample[]) => { await Promise.all([storage?.write(events), alertsRef?.write(events)]); });
  const topology = new TopologyService(new TopologyStore(db), { ...cfg.settings.topology, root: topologyRoot(cfg.settings.topology.root, cfg.devices) }, publish, new L2Store(db));
  topology.setInventory(cfg.devices);
  // Without alerts.yaml the engine still runs, with no rules: the API's incidents and maintenance need it.
  const alerts: AlertEngine = createAlertEngine({
    db, rules: cfg.alerts ?? parseAlertRules('rules: []\n', 'alerts.yaml'), devices: cfg.devices, clock, log: log.child({ component: 'alerts' }),
    onAlertEvents: writeEvents, locale: cfg.settings.locale, derivedParent: (d) => topology.parentOf(d),
  });
  alertsRef = alerts;
  let escalation: EscalationService | undefined;
  if (cfg.notify) {
    const runbooks = new RunbookLibrary(resolve(cfg.dir, cfg.settings.service.knowledge.runbookDir));
    escalation = createEscalationService({
      db, config: cfg.notify, clock, log: log.child({ component: 'escalation' }), actions: alerts,
      locale: cfg.settings.locale, publicUrl: cfg.settings.api.publicUrl, timezone: cfg.settings.timezone,
      // Service calendars can be chosen by device tag (notify.yaml `calendarFor`).
      deviceTags: (name) => cfg.devices.find((d) => d.name === name)?.tags ?? [],
      // Notices link the rule's runbook page when config/runbooks has one (read per notice: a new file counts at once).
      hasRunbook: (rule, lang) => runbooks.has(rule, lang),
      configChanges: opts.configChanges,
    });
    alerts.addListener(escalation);
  } else {
    log.warn(`no notify.yaml in ${cfg.dir}: incidents are recorded but nobody is paged`);
  }
  sinks.push(topology, alerts);
  return { storage, alerts, escalation, topology, sinks };
}

/** How {@link startConsumers} is asked to start the consumers. */
export interface StartConsumersOptions {
  noStorage?: boolean;
  /** A writer already running (a split-consume core's, docs/SCALE.md): used instead of a new one, and closed by whoever opened it. */
  storage?: InfluxSink;
  /** Configuration changes before an incident opened (configuration backup), for `opened` notices. */
  configChanges?: EscalationOptions['configChanges'];
  /** Where the topology's events go: the process's bus (docs/TOPOLOGY.md). */
  publish?: (samples: Sample[]) => Promise<void>;
  /** When given, the writer's and outbox's last figures are published here once escalation has stopped, before the writer closes. */
  lastSelfSamples?: { instance: string; publish: (samples: Sample[]) => Promise<void> };
}

/**
 * Builds and starts the consumers, registering their closers so they stop in the reverse order: the
 * engine first (its last events reach escalation and the writer), then escalation, then the writer.
 */
export async function startConsumers(cfg: LoadedConfig, log: Logger, db: Db, clock: Clock, closers: Closers, opts: StartConsumersOptions = {}): Promise<SampleConsumers> {
  const c = await buildConsumers(cfg, log, db, clock, opts);
  if (c.storage && !opts.storage) { const s = c.storage; closers.add('InfluxDB writer', () => s.close(), 30_000); }
  const last = opts.lastSelfSamples;
  if (last) closers.add('last self samples', () => last.publish(consumerSelfSamples(c, last.instance, clock.now())));
  if (c.escalation) {
    const e = c.escalation;
    await e.start();
    closers.add('escalation', () => e.stop());
  }
  c.alerts.start();
  closers.add('alert engine', () => c.alerts.stop());
  return c;
}

/** `noctua_self` samples of the writer, spool and outbox, which have no scheduler of their own, and of the process's memory. */
export function consumerSelfSamples(c: Pick<SampleConsumers, 'storage' | 'escalation'>, instance: string, now: Date): Sample[] {
  const out: Sample[] = c.storage ? c.storage.selfSamples(now).map((s) => ({ ...s, tags: { instance, ...s.tags } })) : [];
  if (c.escalation) {
    const st = c.escalation.outboxStats();
    out.push({ measurement: 'noctua_self', tags: { component: 'outbox', instance }, fields: { outbox_pending: st.pending, outbox_failed: st.failed }, time: now });
  }
  out.push(processSample(instance, now));
  return out;
}
