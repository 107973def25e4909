import type { Device, SnmpSettings } from '../../config/inventory-schema.js';
import { systemClock, type Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import { deviceTags, type PollKind, type PollResult, type Poller } from '../../core/poller.js';
import type { PollError, Sample } from '../../core/sample.js';
import { exportState, importState, judgeUptime, uptimeSeconds, type CounterState } from './counters.js';
import {
  ENTITY, SYSTEM_OIDS, chassisIdentity, identifyProfile, identityOids, profileIdentity, systemFields, systemInfo,
} from './identify.js';
import { buildInterfaces, interfaceColumns } from './interfaces.js';
import { evaluateMetrics, mergeSamples, metricColumns, metricScalars, type RawSample } from './metrics.js';
import { BUILTIN_PROFILE_DIR, loadProfiles, type Profile } from './profile.js';
import { SnmpError, openSession, type ColumnValues, type SnmpSession, type SnmpValue } from './session.js';

/** Options shared by the SNMP and inventory pollers. */
export interface SnmpPollerOptions {
  log?: Logger;
  clock?: Clock;
  /** Extra profile directories (e.g. config/profiles), read after the built-in ones. */
  profileDirs?: string[];
  /** Opens sessions; tests pass fakes. Defaults to net-snmp. */
  openSession?: (address: string, settings: SnmpSettings) => SnmpSession;
  /** Profiles already loaded (tests); otherwise read from the built-in and extra directories. */
  profiles?: Profile[];
}

/** A table that answered with nothing is asked again only every this many polls: saves a request per absent MIB. */
const ABSENT_RECHECK_POLLS = 10;

interface DeviceState {
  session: SnmpSession;
  sessionKey: string;
  /** Profile chosen at identification; null = generic only. undefined = not identified yet. */
  profile?: Profile | null;
  identifiedAs?: { sysObjectID: string; sysDescr: string };
  vendor: string;
  counters?: CounterState;
  allRowsHaveHc: boolean;
  /** Metric group -> polls to skip before asking again. */
  absent: Map<number, number>;
  /** Chassis identity from the last inventory poll. */
  chassis: Record<string, string>;
}

/** Per-device SNMP state shared by the `snmp` and `inventory` poll kinds. */
export class SnmpDevicePoller implements Poller {
  private readonly devices = new Map<string, DeviceState>();
  private readonly clock: Clock;
  private readonly profiles: Profile[];
  private readonly generic: Profile[];
  private readonly open: (address: string, settings: SnmpSettings) => SnmpSession;
  /** Counter states imported before the device's first poll here. */
  private readonly pendingState = new Map<string, CounterState>();

  constructor(readonly kind: Extract<PollKind, 'snmp' | 'inventory'>, private readonly opts: SnmpPollerOptions = {}) {
    this.clock = opts.clock ?? systemClock;
    this.profiles = opts.profiles ?? loadProfiles([BUILTIN_PROFILE_DIR, ...(opts.profileDirs ?? [])]);
    // Generic MIB families in file order (by name): IF-MIB is in code, the rest are data.
    this.generic = this.profiles.filter((p) => p.kind === 'generic').sort((a, b) => a.name.localeCompare(b.name));
    this.open = opts.openSession ?? openSession;
  }

  /** The vendor learnt at the last identification, or undefined before the first successful poll. */
  vendorOf(deviceName: string): string | undefined {
    const st = this.devices.get(deviceName);
    return st && st.profile !== undefined ? st.vendor : undefined;
  }

  /** The per-device counter state as plain JSON-safe data (for moving a device to another poller). */
  exportCounterState(deviceName: string): unknown {
    const st = this.devices.get(deviceName)?.counters ?? this.pendingState.get(deviceName);
    return st ? exportState(st) : undefined;
  }

  /** Adopts counter state exported by another poller process; throws when the data is not a counter state. */
  importCounterState(deviceName: string, state: unknown): void {
    const s = importState(state);
    const st = this.devices.get(deviceName);
    if (st) st.counters = s;
    else this.pendingState.set(deviceName, s);
  }

  forget(deviceName: string): void {
    this.devices.get(deviceName)?.session.close();
    this.devices.delete(deviceName);
    this.pendingState.delete(deviceName);
  }

  async close(): Promise<void> {
    for (const st of this.devices.values()) st.session.close();
    this.devices.clear();
  }

  private stateFor(device: Device, settings: SnmpSettings): DeviceState {
    const key = `${device.address}|${JSON.stringify(settings)}`;
    let st = this.devices.get(device.name);
    if (st && st.sessionKey !== key) {
      // New address or credentials: a new session, but identification and counters stay (same box).
      st.session.close();
      st.session = this.open(device.address, settings);
      st.sessionKey = key;
    }
    if (!st) {
      st = {
        session: this.open(device.address, settings), sessionKey: key, vendor: 'unknown',
        allRowsHaveHc: false, absent: new Map(), chassis: {}, counters: this.pendingState.get(device.name),
      };
      this.pendingState.delete(device.name);
      this.devices.set(device.name, st);
    }
    return st;
  }

  async poll(device: Device, signal: AbortSignal): Promise<PollResult> {
    const started = this.clock.ms();
    const time = this.clock.now();
    if (device.snmp === false) {
      return { samples: [], errors: [{ device: device.name, kind: 'config', message: 'SNMP is switched off for this device (snmp: false)' }], reachable: false };
    }
    const st = this.stateFor(device, device.snmp);
    const vbBefore = st.session.varbinds;
    const errors: PollError[] = [];
    const raw: RawSample[] = [];
    let reachable = true;
    let failure: SnmpError | undefined;
    try {
      await this.collect(device, st, signal, raw, errors);
    } catch (err) {
      failure = err instanceof SnmpError ? err : new SnmpError('other', (err as Error).message ?? String(err), { cause: err });
      // Nothing came back at all: the device is unreachable (or refuses us); otherwise keep what we got.
      reachable = raw.length > 0;
      errors.push({ device: device.name, kind: failure.kind, message: failure.message, cause: err });
      this.opts.log?.debug({ device: device.name, kind: failure.kind, err: failure.message }, 'snmp poll failed');
    }
    const tags = deviceTags(device, st.vendor);
    const samples: Sample[] = raw.map((r) => ({ measurement: r.measurement, tags: { ...tags, ...r.tags }, fields: r.fields, time }));
    samples.push({
      measurement: 'snmp_poll', tags: { ...tags, kind: this.kind }, time,
      fields: {
        ok: failure === undefined, duration_ms: this.clock.ms() - started,
        varbinds: BigInt(st.session.varbinds - vbBefore),
        error: failure?.message ?? '', error_kind: failure?.kind ?? '',
      },
    });
    return { samples, errors, reachable };
  }

  private async collect(device: Device, st: DeviceState, signal: AbortSignal, out: RawSample[], errors: PollError[]): Promise<void> {
    const sysOids: string[] = Object.values(SYSTEM_OIDS);
    const profile = st.profile ?? undefined;
    const vendorMetrics = profile?.metrics ?? [];
    const groups = [...this.generic.flatMap((p) => p.metrics), ...vendorMetrics];
    const scalarOids = [...sysOids, ...identityOids(profile), ...(this.kind === 'snmp' ? metricScalars(groups) : [])];
    const answer = await st.session.get(scalarOids, signal);
    const scalars = new Map<string, SnmpValue | undefined>(scalarOids.map((o, i) => [o, answer[i]]));
    const sys = systemInfo(scalars);
    if (!sys.sysObjectID && !sys.sysDescr && sys.uptimeTicks === undefined) {
      throw new SnmpError('garbage', 'the agent answered but has no MIB-2 system group (sysDescr, sysObjectID, sysUpTime are all missing)');
    }

    // Identify on first contact and whenever the box says it is something else now (replaced, upgraded).
    if (st.profile === undefined || st.identifiedAs?.sysObjectID !== sys.sysObjectID || st.identifiedAs?.sysDescr !== sys.sysDescr || this.kind === 'inventory') {
      const before = st.profile;
      st.profile = (await identifyProfile(st.session, this.profiles, sys, signal)) ?? null;
      st.identifiedAs = { sysObjectID: sys.sysObjectID, sysDescr: sys.sysDescr };
      st.vendor = st.profile?.vendor ?? 'unknown';
      if (before !== st.profile) {
        st.absent.clear();
        if (before !== undefined) this.opts.log?.info({ device: device.name, from: before?.name ?? 'generic', to: st.profile?.name ?? 'generic' }, 'device identifies differently now');
      }
      if (this.kind === 'snmp' && st.profile && (metricScalars(st.profile.metrics).length > 0 || identityOids(st.profile).length > 0)) {
        const extra = [...identityOids(st.profile), ...metricScalars(st.profile.metrics)].filter((o) => !scalars.has(o));
        const vals = await st.session.get(extra, signal);
        extra.forEach((o, i) => scalars.set(o, vals[i]));
      } else if (this.kind === 'inventory' && st.profile) {
        const extra = identityOids(st.profile).filter((o) => !scalars.has(o));
        const vals = await st.session.get(extra, signal);
        extra.forEach((o, i) => scalars.set(o, vals[i]));
      }
    }
    const finalProfile = st.profile ?? undefined;

    const now = this.clock.ms();
    const verdict = judgeUptime(st.counters, { at: now, uptimeTicks: sys.uptimeTicks, engineBoots: sys.engineBoots ?? st.session.engine()?.boots, engineTime: sys.engineTime ?? st.session.engine()?.time });
    const wraps = verdict.kind === 'normal' || verdict.kind === 'wrap' ? verdict.uptimeWraps : 0;
    const uptimeS = sys.uptimeTicks !== undefined ? uptimeSeconds(sys.uptimeTicks, wraps) : undefined;
    let identity = profileIdentity(finalProfile, sys, scalars);

    if (this.kind === 'inventory') {
      const cols = await st.session.walk(Object.values(ENTITY), signal);
      st.chassis = chassisIdentity(cols);
      identity = { ...st.chassis, ...identity };
      // ENTITY-MIB's model/serial are the hardware's own words; prefer them over sysDescr guesses.
      if (st.chassis.model) identity.model = st.chassis.model;
      if (st.chassis.serial) identity.serial = st.chassis.serial;
      out.push({ measurement: 'system', tags: {}, fields: systemFields(sys, st.vendor, identity, uptimeS) });
      return;
    }
    identity = { ...st.chassis, ...identity };
    out.push({ measurement: 'system', tags: {}, fields: systemFields(sys, st.vendor, identity, uptimeS) });
    if (verdict.kind === 'reboot') {
      out.push({ measurement: 'event', tags: { type: 'reboot' }, fields: { message: `${device.name} rebooted: ${verdict.reason}`, uptime_s: uptimeS ?? 0 } });
    }

    // One walk for every column this device needs: interfaces plus each metric group not known to be absent.
    const metricGroups = [...this.generic.flatMap((p) => p.metrics), ...(finalProfile?.metrics ?? [])];
    const active = metricGroups.map((m, i) => ({ m, i })).filter(({ i }) => !((st.absent.get(i) ?? 0) > 0));
    const columns = new Set<string>(interfaceColumns(st.allRowsHaveHc));
    for (const { m } of active) for (const c of metricColumns([m])) columns.add(c);
    let cols: ColumnValues;
    try {
      cols = await st.session.walk([...columns], signal);
    } catch (err) {
      if (err instanceof SnmpError && err.kind === 'timeout') throw err;
      // One table the agent chokes on must not cost the others: walk them one by one and report the culprit.
      errors.push({ device: device.name, kind: err instanceof SnmpError ? err.kind : 'other', message: (err as Error).message, cause: err });
      cols = new Map();
      for (const c of columns) {
        try { for (const [k, v] of await st.session.walk([c], signal)) cols.set(k, v); } catch (e) {
          if (e instanceof SnmpError && e.kind === 'timeout') throw e;
        }
      }
    }

    const prevAt = st.counters?.at;
    const seconds = prevAt !== undefined ? (now - prevAt) / 1000 : 0;
    const prevCounters = verdict.kind === 'reboot' || verdict.kind === 'first' && prevAt === undefined ? undefined : st.counters?.counters;
    const ifs = buildInterfaces(cols, prevCounters, seconds);
    st.allRowsHaveHc = ifs.allRowsHaveHc;
    out.push(...ifs.samples);

    const metricSamples: RawSample[] = [];
    for (const { m, i } of active) {
      const got = evaluateMetrics([m], cols, scalars);
      // Only a table the agent does not have at all is skipped for a while; rows filtered out today may be back next poll.
      if (!m.single && metricColumns([m]).every((c) => (cols.get(c)?.size ?? 0) === 0)) st.absent.set(i, ABSENT_RECHECK_POLLS);
      metricSamples.push(...got);
    }
    for (const [i, n] of st.absent) if (n > 0 && !active.some((a) => a.i === i)) st.absent.set(i, n - 1);
    out.push(...mergeSamples(metricSamples));

    st.counters = {
      at: now, uptimeTicks: sys.uptimeTicks, uptimeWraps: wraps,
      engineBoots: sys.engineBoots ?? st.session.engine()?.boots, engineTime: sys.engineTime ?? st.session.engine()?.time,
      counters: ifs.counters,
    };
  }
}
