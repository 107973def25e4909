import { LatestSamples } from '../api/latest-samples.js';
import { createAssetSink } from '../service/assets/sink.js';
import { CoreRole } from '../cluster/core-role.js';
import { ClusterKeys } from '../cluster/keys.js';
import { PgLeaseStore } from '../cluster/pg-lease.js';
import { PollerRole, settleMs } from '../cluster/poller-role.js';
import { createClusterRedis } from '../cluster/redis-client.js';
import { RemoteDeviceState } from '../cluster/remote-device-state.js';
import { readClusterStatus } from '../cluster/status.js';
import type { LoadedConfig } from '../config-check/load.js';
import { clusterRoles } from '../config/sections/cluster.js';
import { openStateDb, type Db } from '../core/database.js';
import type { Logger } from '../core/log.js';
import type { Redis } from 'ioredis';
import { join } from 'node:path';
import type { Sample } from '../core/sample.js';
import { createStorageSink, type InfluxSink } from '../storage/index.js';
import type { ApiServer } from '../api/server.js';
import type { ReportScheduler } from '../reports/schedule.js';
import { DeviceStateRegistry } from '../scheduler/device-state.js';
import type { DeviceSetChange } from '../scheduler/options.js';
import { startApiAndReports } from './api-and-reports.js';
import { consumerSelfSamples, startConsumers, type SampleConsumers } from './consumers.js';
import { startEventsPart } from './events.js';
import { closeSharedState, leadOn, openSharedState } from './state-store.js';
import { configBackupApi, startConfigBackupPart } from './config-backup.js';
import { startDiscoveryPart } from './discovery.js';
import { topologyRoot } from '../topology/root.js';
import { reloadAlerts, warnRestartOnly } from './reload.js';
import { addExtraSinks, buildPollers, closePollersLast, createScheduler, every, startScheduler, stopRuntime, type RuntimeServices } from './services.js';
import { StandbyStoppedError, type NoctuaRuntime, type StartOptions } from './types.js';

/** A leading core's parts. */
interface CorePart {
  db: Db;
  consumers: SampleConsumers;
  /** Every device's state as the pollers' samples tell it (the scheduler's registry holds only local polls). */
  states: DeviceStateRegistry;
  /** Latest samples from every poller's stream. */
  latest: LatestSamples;
  api?: ApiServer;
  reports: ReportScheduler;
}

/** What {@link startCore} needs from the member's composition. */
interface CoreContext {
  cfg: LoadedConfig;
  s: RuntimeServices;
  opts: StartOptions;
  redis: Redis;
  keys: ClusterKeys;
  memberId: string;
  alsoPolls: boolean;
  clog: Logger;
  current: () => LoadedConfig;
  running: () => boolean;
  reload: (next: LoadedConfig) => void;
  /** Another core took the lease. */
  onLost: () => void;
  /** Stops this process's scheduler (drain and last self samples); idempotent. */
  stopScheduler: () => Promise<void>;
}

/**
 * The core role: waits for the leader lease (a standby waits here while its poller half already works), then
 * builds the writer, the alert engine, escalation, the API and reports as a standalone Noctua does and feeds
 * them from the streams. Closers: the stream consumer stops before the engine and the writer; the lease is
 * released only once they are closed, so a standby never runs its engine beside this one.
 */
async function startCore(x: CoreContext): Promise<CorePart> {
  const { cfg, s, opts, redis, keys, clog } = x;
  const { log, clock, bus, closers } = s;
  const section = cfg.settings.cluster;
  // With state on PostgreSQL the lease lives there too (its epoch fences the journal) and the standby tails the journal.
  const shared = await openSharedState(cfg, s);
  const leases = shared && new PgLeaseStore(shared.pool);
  const core = new CoreRole({ redis, keys, coreId: x.memberId, section, clock, log: clog, leaseStore: leases });
  if (shared) closers.add('state store connections (PostgreSQL)', () => shared.end());
  closers.add('leader lease', () => core.stop());
  // split: this core writes its share to InfluxDB from now on, leader or standby (docs/SCALE.md, "Split consume").
  const writer = section.consume === 'split' ? await startSplitWriter(x, core) : undefined;
  if (shared) closeSharedState(s, shared);
  shared?.startTailing();
  if (!(await core.waitForLeadership(opts.standbySignal))) {
    log.info('standby core stopping before it led');
    shared?.closeCopy();
    throw new StandbyStoppedError();
  }
  const db = shared && leases ? await leadOn(shared, leases, keys.leader(), () => x.onLost()) : openStateDb(cfg.stateDir);
  closers.add('state database', () => db.close());
  // Backups run on the leading core (it keeps the repository and the change index beside the incidents).
  const backup = await startConfigBackupPart(s, cfg, x.current, { triggerOnBus: !x.alsoPolls });
  const consumers = await startConsumers(cfg, log, db, clock, closers, { noStorage: opts.noStorage, storage: writer, configChanges: (d, at) => backup.changesBefore(d, at), publish: (x) => bus.publish(x) });
  // The API and the wall show every device as the pollers see it, not only what this process polls.
  const states = new DeviceStateRegistry(clock);
  states.sync(cfg.devices.filter((d) => d.enabled));
  const remote = new RemoteDeviceState(states);
  const latest = new LatestSamples();
  const assets = createAssetSink(db, () => x.current().devices, clock, log);
  // This process's own samples: through the stream when it also polls, else straight to the writer and engine.
  if (!x.alsoPolls) {
    for (const sink of consumers.sinks) bus.add(sink);
    bus.add(latest);
    bus.add(assets);
    // The scheduler's last self samples go to these sinks: it stops before they close.
    closers.add('scheduler (before the writer and engine it feeds)', x.stopScheduler, cfg.settings.scheduler.drainTimeout + 5000);
  }
  const feedEngine = async (samples: Sample[]) => {
    // The pollers' neighbour and layer-2 rows build the topology here (derived parents, locate, discovery's neighbour
    // seeds); ahead of the engine so parents are current. Not worth holding the stream back for: logged, acknowledged.
    await consumers.topology.write(samples).catch((err: unknown) => log.error({ err }, 'topology did not take a batch'));
    await consumers.alerts.write(samples);
    await latest.write(samples);
    await remote.write(samples);
    // The register is not worth holding the stream back for: a failure is logged, the batch still acknowledged.
    await assets.write(samples).catch((err: unknown) => log.error({ err }, 'asset register did not take a batch'));
    // Configuration-change events from every poller's receivers start backups here.
    await backup.trigger.write(samples).catch((err: unknown) => log.error({ err }, 'configuration backup trigger did not take a batch'));
  };
  // split: the writers write; this leader's read only feeds the engine. single: acknowledged only once both took
  // the batch, the writer holding it in InfluxDB or its fsync'd spool.
  core.startConsuming(writer ? feedEngine : async (samples) => {
    if (consumers.storage) { await consumers.storage.write(samples); await consumers.storage.flush(); }
    await feedEngine(samples);
  });
  closers.add('stream consumer', () => core.stopConsuming(), 30_000);
  core.keepLeading(() => {
    log.fatal({ lease: keys.leader() }, 'another core holds the leader lease: stopping at once so two alert engines never run');
    x.onLost();
  });
  every(s, 'core self samples', cfg.settings.scheduler.selfInterval, () => {
    void (async () => {
      await bus.publish([...consumerSelfSamples(consumers, s.instance, clock.now()), ...(await core.selfSamples(s.instance, clock.now()))]);
      try {
        const st = await readClusterStatus(redis, keys);
        const live = new Set(st.groups.filter((g) => g.members.some((m) => m.alive)).map((g) => g.group));
        const reset = remote.orphan(x.current().devices, section, live);
        if (reset > 0) log.warn({ devices: reset }, 'devices of a group without a live poller: shown as unknown');
      } catch { /* Redis unreachable: states stay as last seen */ }
    })();
  });
  // Only the leading core sweeps: a standby is still waiting for the lease above, a poller never gets here.
  const discovery = startDiscoveryPart(s, cfg, x.current, latest, consumers.topology);
  const { api, reports } = await startApiAndReports(s, {
    cfg, current: x.current, db, consumers, states, latest, running: x.running, reload: x.reload, noApi: opts.noApi,
    configBackups: configBackupApi(backup), configBackupReports: backup.reportSource, discovery,
  });
  log.info({ core: x.memberId, groups: Object.keys(section.groups).length + 1 }, 'cluster core leading: writer, alert engine and escalation running');
  return { db, consumers, states, latest, api, reports };
}

/**
 * `consume: split`: this core's InfluxDB writer, fed its share of the streams through the group `core`; the
 * leader's consumers use it as their writer. Its spool is this core's own (`<stateDir>/writers/<id>/spool`):
 * the cores may share one state directory. Closers: the share stops before the writer closes.
 */
async function startSplitWriter(x: CoreContext, core: CoreRole): Promise<InfluxSink | undefined> {
  const { cfg, s, opts } = x;
  const writer = opts.noStorage ? undefined : await createStorageSink({ settings: cfg.settings.influx, stateDir: join(cfg.stateDir, 'writers', x.memberId), log: s.log.child({ component: 'writer' }), clock: s.clock });
  if (writer) s.closers.add('InfluxDB writer', () => writer.close(), 30_000);
  // Without storage the share is still read and acknowledged, so the streams do not fill.
  const share = core.startWriting(async (samples) => { if (writer) { await writer.write(samples); await writer.flush(); } });
  s.closers.add('stream writer', () => core.stopWriting(), 30_000);
  // Each core's own figures (a standby publishes nothing else): what it wrote, claimed and holds in its spool.
  every(s, 'stream writer self samples', cfg.settings.scheduler.selfInterval, () => {
    const now = s.clock.now();
    const own: Sample[] = [{ measurement: 'noctua_self', tags: { component: 'cluster_writer', instance: s.instance, member: x.memberId }, fields: { batches: share.counts.batches, samples: share.counts.samples, claimed: share.counts.claimed, undecodable: share.counts.undecodable }, time: now }];
    // The leader publishes its writer's figures with its consumers' (consumerSelfSamples); a standby's are only here.
    const stats = writer && core.lease.current !== 'leader' ? writer.selfSamples(now).map((m) => ({ ...m, tags: { instance: s.instance, member: x.memberId, ...m.tags } })) : [];
    writer?.write([...own, ...stats]).catch((err: unknown) => s.log.warn({ err }, 'writer self samples not written'));
  });
  return writer;
}

/**
 * A cluster member (docs/SCALE.md): a poller polls its share of its group's devices and forwards samples to
 * the group's Redis Stream (disk spool while Redis is away); a core waits for the leader lease, then runs the
 * writer, the alert engine, escalation, the API and reports fed from the streams. One process may be both.
 * A pure poller opens no state database and builds no alert engine.
 */
export async function startClusterMember(cfg: LoadedConfig, s: RuntimeServices, opts: StartOptions): Promise<NoctuaRuntime> {
  const { log, clock, bus, closers } = s;
  const section = cfg.settings.cluster;
  const roles = clusterRoles(section);
  const sched = cfg.settings.scheduler;
  const memberId = section.id ?? s.instance;
  const clog = log.child({ component: 'cluster', member: memberId });
  let current = cfg;
  let running = true;
  try {
    const redis = createClusterRedis(section.redis, clog, `noctua-${memberId}`);
    closers.add('Redis connection', async () => { try { await redis.quit(); } catch { redis.disconnect(); } });
    const keys = new ClusterKeys(section.redis.keyPrefix);
    let poller: PollerRole | undefined;
    if (roles.has('poller')) {
      const real = opts.pollers ?? buildPollers(cfg, log, clock);
      const p = await PollerRole.create({
        redis, keys, section, member: memberId, roles: [...roles], pollers: real, inventory: () => current.devices,
        stateDir: cfg.stateDir, spool: { maxBytes: cfg.settings.influx.spool.maxBytes, segmentBytes: cfg.settings.influx.spool.segmentBytes }, clock, log: clog,
      }).catch(async (err: unknown) => {
        // The spool did not open: the pollers' closer is not registered yet, so close them here.
        await Promise.allSettled(Object.values(real).map((x) => x?.close()));
        throw err;
      });
      poller = p;
      bus.add(p.forwarder);
      // What did not reach Redis stays on disk and is replayed at the next start.
      closers.add('cluster forwarder', () => p.forwarder.close(), 30_000);
      closePollersLast(s, p.pollers);
    }
    addExtraSinks(s, opts);
    const scheduler = createScheduler(s, cfg, poller?.pollers ?? {}, opts);
    if (poller) {
      const p = poller;
      p.start((devices) => { scheduler.setDevices(devices); }, sched.deadlineFraction);
      // Leases and counters go back to Redis once the scheduler stopped, so peers take over at their next round.
      closers.add('group membership', () => p.leave(), settleMs(cfg.devices, sched.deadlineFraction) + 5000);
    }
    const stopScheduler = startScheduler(s, scheduler, () => current.settings.scheduler.drainTimeout);
    // Traps and syslog go to the pollers nearest the devices; their events travel the group's stream like polls.
    if (poller) await startEventsPart(s, cfg, () => current, scheduler);
    if (poller) { const p = poller; every(s, 'poller self samples', sched.selfInterval, () => { void bus.publish(p.selfSamples(s.instance, clock.now())); }); }

    let core: CorePart | undefined;
    const reload = (next: LoadedConfig): DeviceSetChange => {
      warnRestartOnly(current, next, log, core !== undefined);
      scheduler.setLimits({ concurrency: next.settings.scheduler.concurrency, deadlineFraction: next.settings.scheduler.deadlineFraction });
      const before = new Set(current.devices.map((d) => d.name));
      const after = new Set(next.devices.map((d) => d.name));
      current = next;
      poller?.inventoryChanged();
      if (core) {
        core.states.sync(next.devices.filter((d) => d.enabled));
        reloadAlerts(core.consumers.alerts, next);
        core.consumers.topology.setInventory(next.devices, { ...next.settings.topology, root: topologyRoot(next.settings.topology.root, next.devices) });
      }
      const change: DeviceSetChange = { added: [...after].filter((n) => !before.has(n)), removed: [...before].filter((n) => !after.has(n)), changed: [] };
      log.info({ added: change.added, removed: change.removed, devices: next.devices.length }, 'inventory reloaded');
      return change;
    };
    if (roles.has('core')) {
      core = await startCore({
        cfg, s, opts, redis, keys, memberId, alsoPolls: poller !== undefined, clog,
        current: () => current, running: () => running, reload: (next) => { reload(next); },
        onLost: opts.onLeadershipLost ?? (() => { running = false; void stopRuntime(s); }), stopScheduler,
      });
      // A core that polls nothing listens only once it leads: its events go straight to its engine and writer.
      if (!poller) await startEventsPart(s, cfg, () => current, scheduler, core.latest);
    }
    return {
      bus, devices: core?.states ?? s.devices, metrics: s.metrics, scheduler, db: core?.db, api: core?.api, reports: core?.reports,
      storage: core?.consumers.storage, alerts: core?.consumers.alerts, escalation: core?.consumers.escalation,
      reload,
      stop: async () => { running = false; await stopRuntime(s); },
    };
  } catch (err) {
    await closers.closeAll();
    throw err;
  }
}
