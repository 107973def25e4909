import { isAbsolute, join, resolve } from 'node:path';
import cron, { type ScheduledTask } from 'node-cron';
import type { Device } from '../config/inventory-schema.js';
import type { ConfigBackupSection } from '../config/sections/config-backup.js';
import type { Sink } from '../core/bus.js';
import type { Clock } from '../core/clock.js';
import type { Sample } from '../core/sample.js';
import { ChangeIndex, configChangeSample, type ConfigChangeRef } from './changes.js';
import { checkConfig, complianceSamples, type DeviceCompliance } from './compliance.js';
import { loadComplianceRules, type ComplianceRule } from './compliance-rules.js';
import { JobBook, type BackupJob } from './jobs.js';
import { configBackupReportSource } from './report-source.js';
import type { ConfigBackupSource } from '../reports/model/config-backup.js';
import { createBackupRunner, type BackupOutcome, type BackupRunner } from './runner.js';
import type { BackupTrigger, VersionRecord } from './store.js';
import { resolveBackupTargets, type BackupTarget } from './targets.js';
import { ConfigChangeTrigger } from './triggers.js';
import { BUILTIN_VENDOR_DIR, loadVendors, type Vendor } from './vendor.js';

/** The few logger methods the service uses (pino's Logger fits). */
export interface BackupLog { info(obj: object, msg: string): void; warn(obj: object, msg: string): void; error(obj: object, msg: string): void }

/** What {@link startConfigBackup} needs from the runtime. */
export interface ConfigBackupOptions {
  configDir: string;
  stateDir: string;
  settings: ConfigBackupSection;
  /** noctua.yaml `timezone`, for the cron schedule. */
  timeZone: string;
  /** The inventory in force (site, class, parent of each device); a new array after a reload. */
  devices: () => readonly Device[];
  publish: (samples: Sample[]) => unknown;
  clock: Clock;
  log: BackupLog;
  env?: NodeJS.ProcessEnv;
}

/** Configuration backup in a running Noctua: schedule, triggers, jobs, change index and compliance. */
export interface ConfigBackupRuntime {
  runner: BackupRunner;
  rules: readonly ComplianceRule[];
  /** The sink that hears configuration-change events (added to the bus by the runtime). */
  trigger: Sink & { pending(): string[] };
  /** Devices with ssh settings, in devices.yaml order. */
  deviceNames(): string[];
  /** The device's vendor secret keywords (its command set's `secretKeywords`), for masking what non-admins see. */
  secretKeywords(device: string): readonly string[];
  /** Starts a job over the devices (all when none are named); unknown names are returned and nothing starts. */
  startJob(devices: readonly string[] | undefined, trigger: BackupTrigger): { job: BackupJob } | { unknown: string[] };
  job(id: string): BackupJob | undefined;
  /** Versions of a device with their triggers, newest first. */
  versions(device: string): Promise<VersionRecord[]>;
  /** Changes of the device and its parent within the correlation window before `at`, newest first. */
  changesBefore(device: string, at: Date): ConfigChangeRef[];
  /** The last compliance result of every device checked since start. */
  compliance(): DeviceCompliance[];
  /** The weekly report's view: the period's versions and compliance at a moment. */
  reportSource: ConfigBackupSource;
  /** Resolves when every queued job has finished (tests, shutdown). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/** Loads the shipped command sets and those of `configBackup.vendorsDir`. */
export function vendorsFor(configDir: string, settings: ConfigBackupSection): Map<string, Vendor> {
  const dirs = [BUILTIN_VENDOR_DIR];
  if (settings.vendorsDir) dirs.push(isAbsolute(settings.vendorsDir) ? settings.vendorsDir : resolve(configDir, settings.vendorsDir));
  return loadVendors(dirs);
}

/**
 * Starts configuration backup inside `noctua start`: loads the command sets, devices and compliance rules (a
 * mistake fails the start with file:line), fills the change index from the store, schedules the daily run and
 * returns the trigger sink and the job API. Jobs run one after the other, each with `concurrency` sessions.
 */
// Long as a whole: a closure over the job queue, the change index and the compliance results; each step is short.
export async function startConfigBackup(opts: ConfigBackupOptions): Promise<ConfigBackupRuntime> {
  const { settings, clock, log } = opts;
  const env = opts.env ?? process.env;
  const vendors = vendorsFor(opts.configDir, settings);
  const rules = loadComplianceRules({
    userFile: settings.compliance ? resolve(opts.configDir, settings.compliance) : undefined, knownPlatforms: [...vendors.keys()],
  });
  const resolveTargets = () => resolveBackupTargets(join(opts.configDir, 'devices.yaml'), vendors, env);
  let targets: BackupTarget[] = resolveTargets();
  let seenDevices = opts.devices();
  const currentTargets = (): BackupTarget[] => {
    const now = opts.devices();
    if (now !== seenDevices) {
      seenDevices = now;
      try { targets = resolveTargets(); } catch (err) { log.error({ err }, 'config backup: devices.yaml ssh settings refused; the previous ones stay in force'); }
    }
    return targets;
  };
  const runner = createBackupRunner({
    stateDir: opts.stateDir, concurrency: settings.concurrency, now: () => clock.now(),
    limits: { connectTimeout: settings.connectTimeout, idleTimeout: settings.idleTimeout, sessionTimeout: settings.sessionTimeout },
    warn: (msg) => log.warn({}, msg),
  });
  // Without devices to back up, no repository is made (and git is not needed).
  if (targets.length > 0) await runner.store.init();
  const index = new ChangeIndex();
  index.add(await runner.store.history(undefined, new Date(clock.ms() - Math.max(settings.correlationWindow, 7 * 86_400_000))));
  const results = new Map<string, DeviceCompliance>();
  const jobs = new JobBook(() => clock.now());
  let queue: Promise<void> = Promise.resolve();
  let stopped = false;

  const labels = (device: string) => {
    const d = opts.devices().find((x) => x.name === device);
    return { site: d?.site, class: d?.class };
  };
  const assess = (target: BackupTarget, commit: string, config: string): Sample[] => {
    const c: DeviceCompliance = { device: target.device, platform: target.ssh.platform, commit, checkedAt: clock.now(), results: checkConfig(rules, target.ssh.platform, config, target.vendor.secretKeywords) };
    results.set(target.device, c);
    return complianceSamples(c, labels(target.device));
  };

  const onOutcome = (job: BackupJob, o: BackupOutcome, config: string | undefined) => {
    jobs.record(job, o);
    if (!o.ok || config === undefined) return;
    const target = targets.find((t) => t.device === o.device);
    const out: Sample[] = [];
    if (o.result.changed) {
      const ref: ConfigChangeRef = { device: o.device, commit: o.result.commit, time: clock.now(), added: o.result.added, removed: o.result.removed, first: o.result.first, trigger: job.trigger.reason, by: job.trigger.by };
      index.add([ref]);
      out.push(configChangeSample(ref, { ...labels(o.device), kind: job.trigger.kind }));
    }
    const commit = o.result.changed ? o.result.commit : results.get(o.device)?.commit ?? '';
    if (target) out.push(...assess(target, commit, config));
    void Promise.resolve(opts.publish(out)).catch((err: unknown) => log.error({ err }, 'config backup samples not published'));
  };

  const runJob = async (job: BackupJob) => {
    if (stopped) return;
    const byName = new Map(currentTargets().map((t) => [t.device, t]));
    jobs.started(job);
    const run = job.devices.map((d) => byName.get(d.device)).filter((t): t is BackupTarget => t !== undefined);
    const outcomes = await runner.run(run, job.trigger, (o, config) => onOutcome(job, o, config));
    jobs.finished(job);
    const failed = outcomes.filter((o) => !o.ok);
    log.info({ job: job.id, trigger: job.trigger.kind, devices: outcomes.length, changed: outcomes.filter((o) => o.ok && o.result.changed).length, failed: failed.length }, 'config backup finished');
    for (const f of failed) if (!f.ok) log.warn({ device: f.device, kind: f.kind }, f.error);
  };

  const startJob: ConfigBackupRuntime['startJob'] = (devices, trigger) => {
    const known = currentTargets().map((t) => t.device);
    const unknown = (devices ?? []).filter((d) => !known.includes(d));
    if (unknown.length > 0) return { unknown };
    const job = jobs.create(devices && devices.length > 0 ? [...new Set(devices)] : known, trigger);
    queue = queue.then(() => runJob(job)).catch((err: unknown) => { log.error({ err, job: job.id }, 'config backup job failed'); jobs.finished(job); });
    return { job };
  };

  // Compliance of what is already stored, so the API answers before the first backup of this process.
  for (const t of targets) {
    try {
      const v = (await runner.store.versions(t.device))[0];
      if (v) results.set(t.device, { device: t.device, platform: t.ssh.platform, commit: v.commit, checkedAt: clock.now(), results: checkConfig(rules, t.ssh.platform, await runner.store.read(t.device, v.commit), t.vendor.secretKeywords) });
    } catch (err) { log.warn({ err, device: t.device }, 'config backup: stored configuration not readable for compliance'); }
  }

  const trigger = new ConfigChangeTrigger({
    clock, debounceMs: () => settings.onConfigChange.debounce,
    known: (d) => settings.onConfigChange.enabled && currentTargets().some((t) => t.device === d),
    fire: (device, reason, reports) => {
      const r = startJob([device], { kind: 'config-change', by: device, reason: `configuration change reported${reports > 1 ? ` (${reports} reports)` : ''}: ${reason}` });
      if ('job' in r) log.info({ device, job: r.job.id }, 'config backup after a reported configuration change');
    },
  });

  let task: ScheduledTask | undefined;
  if (settings.schedule !== false) {
    task = cron.schedule(settings.schedule, () => {
      startJob(undefined, { kind: 'schedule', by: 'schedule', reason: `scheduled: ${String(settings.schedule)}` });
    }, { name: 'noctua-config-backup', timezone: opts.timeZone, noOverlap: true });
  }
  log.info({ devices: targets.length, rules: rules.length, schedule: settings.schedule, debounceMs: settings.onConfigChange.debounce }, 'config backup ready');

  return {
    runner, rules, trigger,
    reportSource: configBackupReportSource(runner.store, rules, () => new Map(currentTargets().map((t) => [t.device, t.ssh.platform]))),
    deviceNames: () => currentTargets().map((t) => t.device),
    secretKeywords: (device) => currentTargets().find((t) => t.device === device)?.vendor.secretKeywords ?? [],
    startJob,
    job: (id) => jobs.get(id),
    versions: (device) => runner.store.history(device),
    changesBefore(device, at) {
      const d = opts.devices().find((x) => x.name === device);
      return index.before(d?.parent ? [device, d.parent] : [device], at, settings.correlationWindow);
    },
    compliance: () => [...results.values()].sort((a, b) => a.device.localeCompare(b.device)),
    idle: async () => { let q; do { q = queue; await q; } while (q !== queue); },
    async stop() {
      stopped = true;
      await task?.destroy();
      await trigger.close();
      await queue;
    },
  };
}
