import type { Device, SnmpSettings } from '../../config/inventory-schema.js';
import { systemClock, type Clock } from '../../core/clock.js';
import { boundDeviceStrings } from '../../core/device-text.js';
import type { Logger } from '../../core/log.js';
import { deviceTags, type PollKind, type PollResult, type Poller } from '../../core/poller.js';
import { mergeTags, type FieldValue, type PollError, type Sample } from '../../core/sample.js';
import { exportState, importState, judgeUptime, uptimeSeconds, type CounterState } from './counters.js';
import {
  ENTITY, SYSTEM_OIDS, chassisIdentity, identifyProfile, identityOids, profileIdentity, systemFields, systemInfo,
} from './identify.js';
import { entityParts } from './entities.js';
import { buildInterfaces, interfaceColumns } from './interfaces.js';
import { evaluateMetrics, mergeSamples, metricColumns, metricScalars, type RawSample } from './metrics.js';
import { BUILTIN_PROFILE_DIR, loadProfiles, type Profile } from './profile.js';
import { SnmpError, openSession, type ColumnValues, type SnmpSession, type SnmpValue } from './session.js';
import { identifyVendor } from './vendors/identify-vendor.js';
import { collectL2, DEFAULT_L2_LIMITS, type L2Limits, type L2Table } from './l2/index.js';
import { FlapMemory, bgpColumns, parseBgp, type BgpSource } from './bgp/index.js';
import { opticsColumns, parseOptics, type OpticsSource } from './optics/index.js';
import { LLDP_LOCAL_CHASSIS, localChassisId, neighborColumns, parseNeighbors, type NeighborTable } from './neighbors/index.js';

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
  /** Rows kept per device of the ARP, FDB and VLAN tables (topology.l2 in noctua.yaml). */
  l2Limits?: L2Limits;
}

/** A table that answered with nothing is asked again only every this many polls: saves a request per absent MIB. */
const ABSENT_RECHECK_POLLS = 10;

/**
 * What the poller remembers about one device's SNMP agent between polls: the open session, how the agent
 * identified itself (profile, vendor), its previous counters, the tables it lacks and its chassis identity.
 * Not the device's up/down state (that is the scheduler's DeviceState).
 */
interface AgentMemory {
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
  /** Polls to skip before asking for bgpPeerTable again (0: ask); the peers' state at the last poll. */
  bgpAbsent: number;
  bgpFlaps: FlapMemory;
  /** Polls to skip before asking for the optics tables again (0: ask). */
  opticsAbsent: number;
}

/** Per-device SNMP state shared by the `snmp` and `inventory` poll kinds. */
export class SnmpDevicePoller implements Poller {
  private readonly agents = new Map<string, AgentMemory>();
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
    const agent = this.agents.get(deviceName);
    return agent && agent.profile !== undefined ? agent.vendor : undefined;
  }

  /** The per-device counter state as plain JSON-safe data (for moving a device to another poller). */
  exportCounterState(deviceName: string): unknown {
    const counters = this.agents.get(deviceName)?.counters ?? this.pendingState.get(deviceName);
    return counters ? exportState(counters) : undefined;
  }

  /** Adopts counter state exported by another poller process; throws when the data is not a counter state. */
  importCounterState(deviceName: string, state: unknown): void {
    const s = importState(state);
    const agent = this.agents.get(deviceName);
    if (agent) agent.counters = s;
    else this.pendingState.set(deviceName, s);
  }

  forget(deviceName: string): void {
    this.agents.get(deviceName)?.session.close();
    this.agents.delete(deviceName);
    this.pendingState.delete(deviceName);
  }

  async close(): Promise<void> {
    for (const agent of this.agents.values()) agent.session.close();
    this.agents.clear();
  }

  private memoryOf(device: Device, settings: SnmpSettings): AgentMemory {
    const key = `${device.address}|${JSON.stringify(settings)}`;
    let agent = this.agents.get(device.name);
    if (agent && agent.sessionKey !== key) {
      // New address or credentials: a new session, but identification and counters stay (same box).
      agent.session.close();
      agent.session = this.open(device.address, settings);
      agent.sessionKey = key;
    }
    if (!agent) {
      agent = {
        session: this.open(device.address, settings), sessionKey: key, vendor: 'unknown',
        allRowsHaveHc: false, absent: new Map(), chassis: {}, bgpAbsent: 0, bgpFlaps: new FlapMemory(), opticsAbsent: 0, counters: this.pendingState.get(device.name),
      };
      this.pendingState.delete(device.name);
      this.agents.set(device.name, agent);
    }
    return agent;
  }

  async poll(device: Device, signal: AbortSignal): Promise<PollResult> {
    const started = this.clock.ms();
    const time = this.clock.now();
    if (device.snmp === false) {
      return { samples: [], errors: [{ device: device.name, kind: 'config', message: 'SNMP is switched off for this device (snmp: false)' }], reachable: false };
    }
    const agent = this.memoryOf(device, device.snmp);
    const vbBefore = agent.session.varbinds;
    const errors: PollError[] = [];
    const raw: RawSample[] = [];
    let reachable = true;
    let failure: SnmpError | undefined;
    try {
      await this.collect(device, agent, signal, raw, errors);
    } catch (err) {
      failure = err instanceof SnmpError ? err : new SnmpError('other', (err as Error).message ?? String(err), { cause: err });
      // Nothing came back at all: the device is unreachable (or refuses us); otherwise keep what we got.
      reachable = raw.length > 0;
      errors.push({ device: device.name, kind: failure.kind, message: failure.message, cause: err });
      this.opts.log?.debug({ device: device.name, kind: failure.kind, err: failure.message }, 'snmp poll failed');
    }
    const tags = deviceTags(device, agent.vendor);
    // Everything in a raw sample came from the agent (or is ours and short): bound it once, here, before the bus.
    const samples: Sample[] = [];
    for (const r of raw) {
      boundDeviceStrings(r);
      samples.push({ measurement: r.measurement, tags: mergeTags(tags, r.tags), fields: r.fields, time });
    }
    samples.push({
      measurement: 'snmp_poll', tags: mergeTags(tags, { kind: this.kind }), time,
      fields: {
        ok: failure === undefined, duration_ms: this.clock.ms() - started,
        varbinds: BigInt(agent.session.varbinds - vbBefore),
        error: failure?.message ?? '', error_kind: failure?.kind ?? '',
      },
    });
    return { samples, errors, reachable };
  }

  private async collect(device: Device, agent: AgentMemory, signal: AbortSignal, out: RawSample[], errors: PollError[]): Promise<void> {
    const sysOids: string[] = Object.values(SYSTEM_OIDS);
    const profile = agent.profile ?? undefined;
    const vendorMetrics = profile?.metrics ?? [];
    const groups = [...this.generic.flatMap((p) => p.metrics), ...vendorMetrics];
    const scalarOids = [...sysOids, ...identityOids(profile), ...(this.kind === 'snmp' ? metricScalars(groups) : [])];
    const answer = await agent.session.get(scalarOids, signal);
    const scalars = new Map<string, SnmpValue | undefined>(scalarOids.map((o, i) => [o, answer[i]]));
    const sys = systemInfo(scalars);
    if (!sys.sysObjectID && !sys.sysDescr && sys.uptimeTicks === undefined) {
      throw new SnmpError('garbage', 'the agent answered but has no MIB-2 system group (sysDescr, sysObjectID, sysUpTime are all missing)');
    }

    await this.reidentify(device, agent, sys, scalars, signal);
    const finalProfile = agent.profile ?? undefined;

    const now = this.clock.ms();
    const verdict = judgeUptime(agent.counters, { at: now, uptimeTicks: sys.uptimeTicks, engineBoots: sys.engineBoots ?? agent.session.engine()?.boots, engineTime: sys.engineTime ?? agent.session.engine()?.time });
    const wraps = verdict.kind === 'normal' || verdict.kind === 'wrap' ? verdict.uptimeWraps : 0;
    const uptimeS = sys.uptimeTicks !== undefined ? uptimeSeconds(sys.uptimeTicks, wraps) : undefined;
    let identity = profileIdentity(finalProfile, sys, scalars);

    if (this.kind === 'inventory') {
      const cols = await agent.session.walk(Object.values(ENTITY), signal);
      agent.chassis = chassisIdentity(cols);
      identity = { ...agent.chassis, ...identity };
      // ENTITY-MIB's model/serial are the hardware's own words; prefer them over sysDescr guesses.
      if (agent.chassis.model) identity.model = agent.chassis.model;
      if (agent.chassis.serial) identity.serial = agent.chassis.serial;
      const fields = systemFields(sys, agent.vendor, identity, uptimeS);
      out.push({ measurement: 'system', tags: {}, fields });
      out.push(...entityParts(cols));
      await this.collectNeighbors(device, agent, fields, signal, out, errors);
      // ARP, FDB and VLAN tables for the topology store (bus-only samples, plus the stored `l2` counts).
      const l2 = new Set<L2Table>([...this.generic.flatMap((p) => p.l2), ...(finalProfile?.l2 ?? [])]);
      const vendorVlans = finalProfile?.vlanNames && { source: finalProfile.name, ...finalProfile.vlanNames };
      out.push(...await collectL2(l2, (c) => this.walkColumns(device, agent, c, signal, errors), this.opts.l2Limits ?? DEFAULT_L2_LIMITS, vendorVlans));
      return;
    }
    identity = { ...agent.chassis, ...identity };
    out.push({ measurement: 'system', tags: {}, fields: systemFields(sys, agent.vendor, identity, uptimeS) });
    if (verdict.kind === 'reboot') {
      out.push({ measurement: 'event', tags: { type: 'reboot' }, fields: { message: `${device.name} rebooted: ${verdict.reason}`, uptime_s: uptimeS ?? 0 } });
    }

    // One walk for every column this device needs: interfaces plus each metric group not known to be absent.
    const metricGroups = [...this.generic.flatMap((p) => p.metrics), ...(finalProfile?.metrics ?? [])];
    const active = metricGroups.map((m, i) => ({ m, i })).filter(({ i }) => !((agent.absent.get(i) ?? 0) > 0));
    const columns = new Set<string>(interfaceColumns(agent.allRowsHaveHc));
    for (const { m } of active) for (const c of metricColumns([m])) columns.add(c);
    const bgp = this.bgpSources(agent);
    for (const c of bgp) columns.add(c);
    const optics = this.opticsSources(agent);
    for (const c of opticsColumns(optics)) columns.add(c);
    const cols = await this.walkColumns(device, agent, columns, signal, errors);

    const prevAt = agent.counters?.at;
    const seconds = prevAt !== undefined ? (now - prevAt) / 1000 : 0;
    const prevCounters = verdict.kind === 'reboot' || verdict.kind === 'first' && prevAt === undefined ? undefined : agent.counters?.counters;
    const ifs = buildInterfaces(cols, prevCounters, seconds);
    agent.allRowsHaveHc = ifs.allRowsHaveHc;
    out.push(...ifs.samples);

    const metricSamples: RawSample[] = [];
    for (const { m, i } of active) {
      const got = evaluateMetrics([m], cols, scalars);
      // Only a table the agent does not have at all is skipped for a while; rows filtered out today may be back next poll.
      if (!m.single && metricColumns([m]).every((c) => (cols.get(c)?.size ?? 0) === 0)) agent.absent.set(i, ABSENT_RECHECK_POLLS);
      metricSamples.push(...got);
    }
    for (const [i, n] of agent.absent) if (n > 0 && !active.some((a) => a.i === i)) agent.absent.set(i, n - 1);
    out.push(...mergeSamples(metricSamples));
    if (bgp.length > 0) out.push(...this.bgpPeers(agent, cols, now));
    if (optics.length > 0) {
      const got = parseOptics(optics, cols);
      if (got.length === 0) agent.opticsAbsent = ABSENT_RECHECK_POLLS;
      out.push(...got);
    }

    agent.counters = {
      at: now, uptimeTicks: sys.uptimeTicks, uptimeWraps: wraps,
      engineBoots: sys.engineBoots ?? agent.session.engine()?.boots, engineTime: sys.engineTime ?? agent.session.engine()?.time,
      counters: ifs.counters,
    };
  }

  /** The BGP columns to walk this poll: none when no profile asks, or while the agent is known to lack bgpPeerTable. */
  private bgpSources(agent: AgentMemory): string[] {
    const sources = new Set<BgpSource>([...this.generic.flatMap((p) => p.bgp), ...(agent.profile?.bgp ?? [])]);
    if (agent.bgpAbsent > 0) { agent.bgpAbsent--; return []; }
    return bgpColumns(sources);
  }

  /** The optics tables to read this poll (generic first, the vendor's after): none while the agent showed none lately. */
  private opticsSources(agent: AgentMemory): OpticsSource[] {
    if (agent.opticsAbsent > 0) { agent.opticsAbsent--; return []; }
    return [...new Set<OpticsSource>([...this.generic.flatMap((p) => p.optics), ...(agent.profile?.optics ?? [])])];
  }

  /** `bgp_peer` samples from the walked columns; an agent without bgpPeerTable is asked again only after a while. */
  private bgpPeers(agent: AgentMemory, cols: ColumnValues, nowMs: number): RawSample[] {
    const sources = new Set<BgpSource>([...this.generic.flatMap((p) => p.bgp), ...(agent.profile?.bgp ?? [])]);
    const samples = parseBgp(sources, cols, agent.bgpFlaps, nowMs);
    if (samples.length === 0) agent.bgpAbsent = ABSENT_RECHECK_POLLS;
    return samples;
  }

  /**
   * Inventory only: the neighbour tables the generic and the device's profile ask for, as `neighbor` samples,
   * and the device's own LLDP chassis id as `system.lldp_chassis_id` (topology matches neighbours by it).
   */
  private async collectNeighbors(device: Device, agent: AgentMemory, system: Record<string, FieldValue>, signal: AbortSignal, out: RawSample[], errors: PollError[]): Promise<void> {
    const tables = new Set<NeighborTable>([...this.generic.flatMap((p) => p.neighbors), ...(agent.profile?.neighbors ?? [])]);
    if (tables.size === 0) return;
    if (tables.has('lldp')) {
      const [subtype, id] = await agent.session.get([LLDP_LOCAL_CHASSIS.subtype, LLDP_LOCAL_CHASSIS.id], signal);
      const chassis = localChassisId(subtype, id);
      if (chassis) system.lldp_chassis_id = chassis;
    }
    const cols = await this.walkColumns(device, agent, new Set(neighborColumns(tables)), signal, errors);
    out.push(...parseNeighbors(tables, cols));
  }

  /** Identifies the device on first contact and whenever it says it is something else now (replaced, upgraded). */
  private async reidentify(device: Device, agent: AgentMemory, sys: ReturnType<typeof systemInfo>, scalars: Map<string, SnmpValue | undefined>, signal: AbortSignal): Promise<void> {
    if (agent.profile === undefined || agent.identifiedAs?.sysObjectID !== sys.sysObjectID || agent.identifiedAs?.sysDescr !== sys.sysDescr || this.kind === 'inventory') {
      const before = agent.profile;
      agent.profile = (await identifyProfile(agent.session, this.profiles, sys, signal)) ?? null;
      agent.identifiedAs = { sysObjectID: sys.sysObjectID, sysDescr: sys.sysDescr };
      agent.vendor = identifyVendor(agent.profile ?? undefined, sys).vendor;
      if (before !== agent.profile) {
        agent.absent.clear();
        agent.bgpAbsent = 0;
        agent.opticsAbsent = 0;
        if (before !== undefined) this.opts.log?.info({ device: device.name, from: before?.name ?? 'generic', to: agent.profile?.name ?? 'generic' }, 'device identifies differently now');
      }
      if (this.kind === 'snmp' && agent.profile && (metricScalars(agent.profile.metrics).length > 0 || identityOids(agent.profile).length > 0)) {
        const extra = [...identityOids(agent.profile), ...metricScalars(agent.profile.metrics)].filter((o) => !scalars.has(o));
        const vals = await agent.session.get(extra, signal);
        extra.forEach((o, i) => scalars.set(o, vals[i]));
      } else if (this.kind === 'inventory' && agent.profile) {
        const extra = identityOids(agent.profile).filter((o) => !scalars.has(o));
        const vals = await agent.session.get(extra, signal);
        extra.forEach((o, i) => scalars.set(o, vals[i]));
      }
    }
  }

  /** One walk for every column; when the agent chokes on one table, the others are walked one by one so it costs only itself. */
  private async walkColumns(device: Device, agent: AgentMemory, columns: Set<string>, signal: AbortSignal, errors: PollError[]): Promise<ColumnValues> {
    let cols: ColumnValues;
    try {
      cols = await agent.session.walk([...columns], signal);
    } catch (err) {
      if (err instanceof SnmpError && err.kind === 'timeout') throw err;
      // One table the agent chokes on must not cost the others: walk them one by one and report the culprit.
      errors.push({ device: device.name, kind: err instanceof SnmpError ? err.kind : 'other', message: (err as Error).message, cause: err });
      cols = new Map();
      for (const c of columns) {
        try { for (const [k, v] of await agent.session.walk([c], signal)) cols.set(k, v); } catch (e) {
          if (e instanceof SnmpError && e.kind === 'timeout') throw e;
        }
      }
    }
    return cols;
  }
}
