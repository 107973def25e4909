import type { UnmanagedNeighbor } from './graph.js';
import type { L2Store, StoredArp, StoredFdb } from './l2-store.js';
import type { LocateQuery } from './locate-query.js';
import type { OuiRegistry } from './oui.js';

/**
 * "Where is this host plugged in?": the ports a MAC is learned on, best first. An edge port is preferred over an
 * uplink (a port with an LLDP/CDP link to another inventory device), then the port with the fewest MACs (an access
 * port carries one host, a trunk many), then the latest sighting. IP addresses become MACs through the ARP tables.
 */

/** One port a MAC is (or was) learned on. */
export interface Location {
  device: string; ifName: string; ifIndex: string; vlan?: number; status: string;
  firstSeen: Date; lastSeen: Date; portSince: Date;
  /** The device's latest inventory cycle still reported the MAC. */
  current: boolean;
  /** The port has an LLDP/CDP link to another inventory device. */
  uplink: boolean;
  /** MACs the device's latest cycle learned on this port. */
  macsOnPort: number;
}

/** One host found: its MAC, maker, addresses and locations. */
export interface LocatedHost {
  mac: string; vendor?: string; vendorNote?: string;
  ips: { ip: string; device: string; lastSeen: Date; current: boolean }[];
  /** The most likely access port (first of `locations`), absent when the MAC is in no FDB. */
  best?: Location;
  locations: Location[];
}

/** An LLDP/CDP neighbour outside the inventory whose name matched, with the ports it is seen on. */
export interface LocatedNeighbour { sysName: string; chassisId: string; mgmtAddress: string; seenBy: { device: string; port: string }[] }

/** The answer to a locate query. */
export interface LocateAnswer {
  query: LocateQuery;
  hosts: LocatedHost[];
  /** Inventory devices whose name or sysName matched (name queries): their addresses were looked up. */
  devices: string[];
  neighbours: LocatedNeighbour[];
}

/** What locate reads. */
export interface LocateSources {
  store: L2Store;
  /** device -> ports with a live link to another inventory device. */
  uplinks: ReadonlyMap<string, ReadonlySet<string>>;
  devices: readonly { name: string; address: string; sysName?: string }[];
  unmanaged: readonly UnmanagedNeighbor[];
  oui: OuiRegistry;
}

/** Hosts answered at most (a short name part can match many devices). */
export const LOCATE_MAX_HOSTS = 20;

function rank(a: Location, b: Location): number {
  return Number(b.current) - Number(a.current) || Number(a.uplink) - Number(b.uplink) || a.macsOnPort - b.macsOnPort
    || b.lastSeen.getTime() - a.lastSeen.getTime() || a.device.localeCompare(b.device);
}

function locationOf(r: StoredFdb, src: LocateSources): Location {
  return {
    device: r.device, ifName: r.ifName, ifIndex: r.ifIndex, ...(r.vlan >= 0 ? { vlan: r.vlan } : {}), status: r.status,
    firstSeen: r.firstSeen, lastSeen: r.lastSeen, portSince: r.portSince, current: r.current,
    uplink: src.uplinks.get(r.device)?.has(r.ifName) ?? false, macsOnPort: r.current ? src.store.macsOnPort(r.device, r.ifName) : 0,
  };
}

function hostOf(mac: string, src: LocateSources): LocatedHost {
  // The switch's own MACs (status self) are not where a host is plugged in.
  const locations = src.store.fdbOfMac(mac).filter((r) => r.status !== 'self').map((r) => locationOf(r, src)).sort(rank);
  const ips = src.store.arpOfMac(mac).map((a: StoredArp) => ({ ip: a.ip, device: a.device, lastSeen: a.lastSeen, current: a.current }));
  const maker = src.oui.lookup(mac);
  return {
    mac, ...(maker.vendor ? { vendor: maker.vendor } : {}), ...(maker.note ? { vendorNote: maker.note } : {}),
    ips, ...(locations[0] ? { best: locations[0] } : {}), locations,
  };
}

/** Answers a parsed query from the stored tables. */
export function locate(query: LocateQuery, src: LocateSources): LocateAnswer {
  const macs: string[] = [];
  const devices: string[] = [];
  const neighbours: LocatedNeighbour[] = [];
  const addMacsOfIp = (ip: string) => { for (const a of src.store.arpOfIp(ip)) if (!macs.includes(a.mac)) macs.push(a.mac); };
  if (query.kind === 'mac') macs.push(query.mac);
  else if (query.kind === 'ip') addMacsOfIp(query.ip);
  else {
    for (const d of src.devices) {
      if (!d.name.toLowerCase().includes(query.text) && !(d.sysName ?? '').toLowerCase().includes(query.text)) continue;
      devices.push(d.name);
      addMacsOfIp(d.address);
    }
    for (const u of src.unmanaged) {
      if (!u.sysName.toLowerCase().includes(query.text)) continue;
      neighbours.push({ sysName: u.sysName, chassisId: u.chassisId, mgmtAddress: u.mgmtAddress, seenBy: u.seenBy.map((s) => ({ device: s.device, port: s.port })) });
      if (/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(u.chassisId) && !macs.includes(u.chassisId)) macs.push(u.chassisId);
      if (u.mgmtAddress) addMacsOfIp(u.mgmtAddress);
    }
  }
  return { query, hosts: macs.slice(0, LOCATE_MAX_HOSTS).map((m) => hostOf(m, src)), devices: devices.slice(0, LOCATE_MAX_HOSTS), neighbours: neighbours.slice(0, LOCATE_MAX_HOSTS) };
}

/** device -> ports that carry a link to another inventory device (both ends of every live link). */
export function uplinkPorts(links: readonly { a: { device: string; port: string }; b: { device: string; port: string }; lost?: boolean }[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const l of links) {
    if (l.lost) continue;
    for (const e of [l.a, l.b]) {
      if (!out.has(e.device)) out.set(e.device, new Set());
      out.get(e.device)!.add(e.port);
    }
  }
  return out;
}
