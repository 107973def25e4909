import { join } from 'node:path';
import type { DiscoverySection } from '../config/sections/discovery.js';
import type { Logger } from '../core/log.js';
import type { Sample } from '../core/sample.js';
import type { Profile } from '../pollers/snmp/profile.js';
import type { KnownDevice } from './dedupe.js';
import { credentialRefs, devicesYaml, readDiscoveredEntries, writeDiscoveredFile } from './devices-yaml.js';
import { runDiscovery, type DiscoveryProgress, type DiscoveryResult, type DiscoverySeed } from './run.js';

/** The file scheduled discovery writes in the config directory (never the operator's own files). */
export const DISCOVERED_FILE = 'discovered.yaml';

/** What scheduled discovery has found, for `GET /api/v1/discovery`. */
export interface DiscoveryStatus {
  /** Scheduled runs happen (discovery.interval is set). */
  scheduled: boolean;
  intervalMs?: number;
  running: boolean;
  /** While a run is in progress: when it started, its round and counts so far. */
  progress?: { startedAt: string } & DiscoveryProgress;
  file: string;
  nextRunAt?: string;
  lastError?: string;
  last?: DiscoveryResult;
  /** Entries of earlier runs still in the file, not adopted yet: name and address. */
  kept: { name: string; address: string }[];
}

/** How the scheduled part is built: the configuration it reads at each run, and where its notice goes. */
export interface ScheduledDiscoveryOptions {
  configDir: string;
  settings: () => DiscoverySection;
  inventory: () => KnownDevice[];
  /** Management addresses of unmanaged LLDP/CDP neighbours (used when discovery.followNeighbours is on). */
  seeds: () => DiscoverySeed[];
  profiles: () => Profile[];
  publish: (samples: Sample[]) => Promise<void>;
  log: Logger;
  /** The device tag of the notice event: the Noctua instance. */
  instance: string;
  fping?: string;
}

/** The `event` that says N new devices were found (docs/SCHEMA.md): once per device, the run that first finds it. */
export function newDevicesEvent(instance: string, fresh: readonly { name: string; address: string }[], at: Date, file: string): Sample {
  const list = fresh.slice(0, 20).map((d) => `${d.name} (${d.address})`).join(', ') + (fresh.length > 20 ? `, and ${fresh.length - 20} more` : '');
  return {
    measurement: 'event', time: at,
    tags: { device: instance, site: 'default', class: 'other', vendor: 'unknown', source: 'discovery', type: 'devices-discovered', severity: 'info' },
    fields: {
      message: `${fresh.length} new device${fresh.length === 1 ? '' : 's'} found: ${list}; see ${file} to adopt them`,
      message_zh: `发现 ${fresh.length} 台新设备：${list}；在 ${file} 中查看并纳管`,
      count: BigInt(fresh.length), key: 'discovery',
    },
  };
}

/** Scheduled discovery: a run every discovery.interval, and on demand. */
export class ScheduledDiscovery {
  private timer?: NodeJS.Timeout;
  private current?: Promise<DiscoveryResult>;
  private abort = new AbortController();
  private last?: DiscoveryResult;
  /** The run in progress: when it started and its counts so far. */
  private progress?: { startedAt: string } & DiscoveryProgress;
  private lastError?: string;
  private nextRunAt?: Date;
  private stopped = false;

  constructor(private readonly o: ScheduledDiscoveryOptions) {}

  private get file(): string { return join(this.o.configDir, DISCOVERED_FILE); }

  /** Arms the timer when discovery.interval is set (the first run one interval after start). */
  start(): void {
    const interval = this.o.settings().interval;
    if (this.stopped || interval === undefined) return;
    this.nextRunAt = new Date(Date.now() + interval);
    this.timer = setTimeout(() => {
      this.runNow().catch(() => { /* recorded in lastError and logged */ }).finally(() => this.start());
    }, interval);
    this.timer.unref();
  }

  /** Runs now (or joins the run in progress), writes discovered.yaml and announces the devices no earlier run found. */
  runNow(): Promise<DiscoveryResult> {
    this.current ??= this.run().finally(() => { this.current = undefined; });
    return this.current;
  }

  private async run(): Promise<DiscoveryResult> {
    const settings = this.o.settings();
    const inventory = this.o.inventory();
    const inInventory = new Set(inventory.map((d) => d.address.toLowerCase()));
    // Earlier proposals not adopted yet count as known: they are not announced twice.
    const kept = readDiscoveredEntries(this.file).filter((e) => typeof e.address === 'string' && typeof e.name === 'string' && !inInventory.has(e.address.toLowerCase()));
    const keptKnown: KnownDevice[] = kept.map((e) => ({ name: e.name as string, address: e.address as string }));
    const startedAt = new Date().toISOString();
    this.progress = { startedAt, round: 0, addresses: 0, answered: 0, probed: 0 };
    try {
      const result = await runDiscovery({
        settings, inventory: [...inventory, ...keptKnown], profiles: this.o.profiles(), fping: this.o.fping,
        onCounts: (c) => { this.progress = { startedAt, ...c }; },
        ...(settings.followNeighbours ? { seeds: this.o.seeds(), follow: { depth: settings.followDepth } } : {}),
      }, this.abort.signal);
      // `known` means inventory devices; the earlier proposals that answered again stay in `kept`.
      const names = new Set(inventory.map((d) => d.name));
      result.known = result.known.filter((n) => names.has(n));
      const text = devicesYaml({ ...result, credentials: settings.credentials, refs: credentialRefs(join(this.o.configDir, 'noctua.yaml')), at: result.finishedAt, kept });
      writeDiscoveredFile(this.file, text);
      this.last = result;
      this.lastError = undefined;
      this.o.log.info({ swept: result.swept, alive: result.alive, new: result.proposed.length, icmpOnly: result.icmpOnly.length, moved: result.moved.length, credentialsUsed: result.credentialsUsed }, 'discovery run finished');
      if (result.proposed.length > 0) await this.o.publish([newDevicesEvent(this.o.instance, result.proposed, new Date(result.finishedAt), this.file)]);
      return result;
    } catch (err) {
      this.lastError = (err as Error).message;
      this.o.log.error({ err }, 'discovery run failed');
      throw err;
    } finally {
      this.progress = undefined;
    }
  }

  /** What the API shows. */
  status(): DiscoveryStatus {
    const inv = new Set(this.o.inventory().map((d) => d.address.toLowerCase()));
    const proposed = new Set(this.last?.proposed.map((d) => d.address) ?? []);
    const kept = readDiscoveredEntries(this.file)
      .filter((e) => typeof e.address === 'string' && typeof e.name === 'string' && !inv.has(e.address.toLowerCase()) && !proposed.has(e.address))
      .map((e) => ({ name: e.name as string, address: e.address as string }));
    const interval = this.o.settings().interval;
    return {
      scheduled: interval !== undefined, ...(interval !== undefined ? { intervalMs: interval } : {}), running: this.current !== undefined, file: this.file,
      ...(this.progress ? { progress: { ...this.progress } } : {}),
      ...(this.nextRunAt ? { nextRunAt: this.nextRunAt.toISOString() } : {}), ...(this.lastError ? { lastError: this.lastError } : {}),
      ...(this.last ? { last: this.last } : {}), kept,
    };
  }

  /** Stops the timer and aborts a run in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.abort.abort(new Error('Noctua is stopping'));
    await this.current?.catch(() => undefined);
  }
}

/** What the runtime hands scheduled discovery: the live configuration, the latest samples and the topology. */
export interface DiscoveryRuntimeParts {
  configDir: string;
  settings: () => DiscoverySection;
  devices: () => readonly { name: string; address: string }[];
  /** The latest `system` sample of a device (its sysName and LLDP chassis id), for matching a moved device. */
  system: (device: string) => Sample | undefined;
  /** Unmanaged LLDP/CDP neighbours (the topology's). */
  unmanaged: () => readonly { mgmtAddress: string; sysName: string; seenBy: readonly { device: string }[] }[];
  profiles: () => Profile[];
  publish: (samples: Sample[]) => Promise<void>;
  log: Logger;
  instance: string;
}

/** Builds scheduled discovery over the runtime's parts and arms its timer (nothing runs unless discovery.interval is set). */
export function startScheduledDiscovery(p: DiscoveryRuntimeParts): ScheduledDiscovery {
  const text = (s: Sample | undefined, f: string) => (typeof s?.fields[f] === 'string' && s.fields[f] !== '' ? s.fields[f] : undefined);
  const d = new ScheduledDiscovery({
    configDir: p.configDir, settings: p.settings, profiles: p.profiles, publish: p.publish, log: p.log, instance: p.instance,
    inventory: () => p.devices().map((x) => {
      const sys = p.system(x.name);
      const sysName = text(sys, 'sysName'), chassisId = text(sys, 'lldp_chassis_id');
      return { name: x.name, address: x.address, ...(sysName ? { sysName } : {}), ...(chassisId ? { chassisId } : {}) };
    }),
    seeds: () => p.unmanaged().filter((u) => u.mgmtAddress).map((u) => ({ address: u.mgmtAddress, seenBy: u.seenBy[0]?.device ?? u.sysName })),
  });
  d.start();
  return d;
}
