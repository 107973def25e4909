import type { Sample } from '../core/sample.js';

/** The layer-2 rows of one device's inventory poll, as the topology store keeps them (from `fdb`, `arp`, `vlan` samples). */
export interface L2Rows { fdb: FdbRow[]; arp: ArpRow[]; vlan: VlanRow[] }
/** A forwarding-database row: a MAC learned on a port; vlan -1 when the agent gave none. */
export interface FdbRow { mac: string; vlan: number; ifName: string; ifIndex: string; status: string }
/** An ARP / neighbour cache entry. */
export interface ArpRow { ip: string; mac: string; ifName: string; ifIndex: string; type: string }
/** A VLAN the device has. */
export interface VlanRow { vlan: number; name: string; status: string }

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const int = (v: unknown, absent: number): number => (typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : absent);

/** Adds a bus-only `fdb`, `arp` or `vlan` sample to `rows`; false for any other measurement. */
export function addL2Sample(rows: L2Rows, s: Sample): boolean {
  const f = s.fields;
  if (s.measurement === 'fdb') rows.fdb.push({ mac: str(f.mac), vlan: int(f.vlan, -1), ifName: s.tags.ifName ?? '', ifIndex: s.tags.ifIndex ?? '', status: str(f.status) });
  else if (s.measurement === 'arp') rows.arp.push({ ip: str(f.ip), mac: str(f.mac), ifName: s.tags.ifName ?? '', ifIndex: s.tags.ifIndex ?? '', type: str(f.type) });
  else if (s.measurement === 'vlan') rows.vlan.push({ vlan: int(f.vlan, -1), name: str(f.name), status: str(f.status) });
  else return false;
  return true;
}

/** Empty rows. */
export function noL2Rows(): L2Rows { return { fdb: [], arp: [], vlan: [] }; }
