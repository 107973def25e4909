import type { Sample } from '../core/sample.js';

/**
 * The topology graph: devices and links built from `neighbor` samples, matched to the inventory by the
 * neighbour's LLDP chassis id, then its management address, then its sysName (docs/TOPOLOGY.md).
 */

/** What topology knows about an inventory device. */
export interface TopoDevice {
  name: string;
  address: string;
  /** sysName from the last `system` sample. */
  sysName?: string;
  /** lldpLocChassisId from the last inventory `system` sample. */
  chassisId?: string;
}

/** One neighbour row as the topology reads it from a `neighbor` sample. */
export interface NeighborObservation {
  device: string;
  protocol: string;
  ifName: string;
  localPortId: string;
  localPortDesc: string;
  chassisId: string;
  portId: string;
  portIdSubtype: string;
  portDesc: string;
  sysName: string;
  mgmtAddress: string;
  platform: string;
}

/** A link between two devices (or a device and an unmanaged neighbour); endpoints in name order. */
export interface TopoLink {
  /** Stable id: `a:portA|b:portB` with the endpoints sorted. */
  id: string;
  a: { device: string; port: string };
  b: { device: string; port: string };
  protocol: string;
  /** How the far end was recognised: chassis-id, mgmt-address or sysname (of the first report). */
  matchedBy: MatchKind;
  /** The devices whose own latest neighbour rows show this link (one or both ends). */
  reportedBy: string[];
}

/** A neighbour not in the inventory. */
export interface UnmanagedNeighbor {
  key: string;
  sysName: string;
  chassisId: string;
  mgmtAddress: string;
  platform: string;
  seenBy: { device: string; port: string; remotePort: string; protocol: string }[];
}

export type MatchKind = 'chassis-id' | 'mgmt-address' | 'sysname';

/** The graph of one moment. */
export interface Topology {
  links: TopoLink[];
  unmanaged: UnmanagedNeighbor[];
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** A `neighbor` sample as an observation (undefined for other measurements). */
export function observationOf(s: Sample): NeighborObservation | undefined {
  if (s.measurement !== 'neighbor' || !s.tags.device) return undefined;
  const f = s.fields;
  return {
    device: s.tags.device, protocol: s.tags.protocol ?? '', ifName: s.tags.ifName ?? '',
    localPortId: str(f.local_port_id), localPortDesc: str(f.local_port_desc), chassisId: str(f.remote_chassis_id),
    portId: str(f.remote_port_id), portIdSubtype: str(f.remote_port_id_subtype), portDesc: str(f.remote_port_desc), sysName: str(f.remote_sysname),
    mgmtAddress: str(f.remote_mgmt_address), platform: str(f.remote_platform),
  };
}

/** A host name for comparison: lower case, domain and a CDP serial suffix `(ABC123)` left out. */
export function hostKey(name: string): string {
  const lower = name.trim().toLowerCase();
  const paren = lower.indexOf('(');
  const bare = paren > 0 ? lower.slice(0, paren) : lower;
  const dot = bare.indexOf('.');
  // An IPv4 address is not a host name with a domain.
  return dot > 0 && !/^\d+\.\d+\.\d+\.\d+$/.test(bare) ? bare.slice(0, dot) : bare;
}

/** Finds inventory devices by chassis id, management address and sysName. */
export class DeviceMatcher {
  private readonly byChassis = new Map<string, string>();
  private readonly byAddress = new Map<string, string>();
  private readonly bySysName = new Map<string, string>();

  constructor(devices: readonly TopoDevice[]) {
    for (const d of devices) {
      if (d.chassisId) this.byChassis.set(d.chassisId.toLowerCase(), d.name);
      this.byAddress.set(d.address.toLowerCase(), d.name);
      if (d.sysName) this.bySysName.set(hostKey(d.sysName), d.name);
      // The inventory name is what people set sysName to; it comes after the agent's own sysName.
      if (!this.bySysName.has(hostKey(d.name))) this.bySysName.set(hostKey(d.name), d.name);
    }
  }

  /** The inventory device an observation points at, and by which fact. */
  match(o: NeighborObservation): { device: string; by: MatchKind } | undefined {
    const chassis = o.chassisId && this.byChassis.get(o.chassisId.toLowerCase());
    if (chassis) return { device: chassis, by: 'chassis-id' };
    const addr = o.mgmtAddress && this.byAddress.get(o.mgmtAddress.toLowerCase());
    if (addr) return { device: addr, by: 'mgmt-address' };
    const named = o.sysName && this.bySysName.get(hostKey(o.sysName));
    if (named) return { device: named, by: 'sysname' };
    return undefined;
  }
}

interface HalfLink { o: NeighborObservation; to: string; by: MatchKind }

/** Whether the far end's report names this side's port (by ifName, LLDP local port id or description). */
function names(h: HalfLink, other: HalfLink): boolean {
  const mine = [h.o.ifName, h.o.localPortId, h.o.localPortDesc].filter(Boolean);
  return [other.o.portId, other.o.portDesc].some((p) => p !== '' && mine.includes(p));
}

function linkOf(a: { device: string; port: string }, b: { device: string; port: string }, protocol: string, by: MatchKind, reportedBy: string[]): TopoLink {
  const [x, y] = `${a.device}\u0000${a.port}` <= `${b.device}\u0000${b.port}` ? [a, b] : [b, a];
  return { id: `${x.device}:${x.port}|${y.device}:${y.port}`, a: x, b: y, protocol, matchedBy: by, reportedBy: [...new Set(reportedBy)].sort() };
}

/**
 * The far port's name as one end reports it: the port description when the port id is a MAC or an address
 * (lldpd and many switches put the interface name there), so a link reported by one end gets the same id as
 * when both do.
 */
function farPort(o: NeighborObservation): string {
  const binary = o.portIdSubtype === 'mac' || o.portIdSubtype === 'network-address';
  return (binary && o.portDesc) || o.portId || o.portDesc;
}

/**
 * Builds links from every device's latest observations: a link both ends report is one link with both local
 * port names; one only one end reports takes the far port from the neighbour's port id (or description).
 */
export function buildTopology(devices: readonly TopoDevice[], observations: readonly NeighborObservation[]): Topology {
  const matcher = new DeviceMatcher(devices);
  const halves: HalfLink[] = [];
  const unmanaged = new Map<string, UnmanagedNeighbor>();
  for (const o of observations) {
    const m = matcher.match(o);
    if (m && m.device !== o.device) { halves.push({ o, to: m.device, by: m.by }); continue; }
    if (m) continue; // a device hearing itself (a loop, or two ports on one VLAN): not a link
    const key = o.chassisId || o.mgmtAddress || hostKey(o.sysName);
    if (!key) continue;
    const u = unmanaged.get(key) ?? { key, sysName: o.sysName, chassisId: o.chassisId, mgmtAddress: o.mgmtAddress, platform: o.platform, seenBy: [] };
    u.seenBy.push({ device: o.device, port: o.ifName, remotePort: farPort(o), protocol: o.protocol });
    unmanaged.set(key, u);
  }
  const links = new Map<string, TopoLink>();
  const paired = new Set<HalfLink>();
  for (const h of halves) {
    if (paired.has(h)) continue;
    const back = halves.find((g) => !paired.has(g) && g !== h && g.o.device === h.to && g.to === h.o.device && (names(h, g) || names(g, h)));
    if (back) {
      paired.add(back);
      const l = linkOf({ device: h.o.device, port: h.o.ifName }, { device: back.o.device, port: back.o.ifName }, h.o.protocol, h.by, [h.o.device, back.o.device]);
      links.set(l.id, l);
      continue;
    }
    const l = linkOf({ device: h.o.device, port: h.o.ifName }, { device: h.to, port: farPort(h.o) }, h.o.protocol, h.by, [h.o.device]);
    const had = links.get(l.id);
    links.set(l.id, had ? { ...had, reportedBy: [...new Set([...had.reportedBy, h.o.device])].sort() } : l);
  }
  return {
    links: [...links.values()].sort((p, q) => p.id.localeCompare(q.id)),
    unmanaged: [...unmanaged.values()].sort((p, q) => p.key.localeCompare(q.key)),
  };
}
