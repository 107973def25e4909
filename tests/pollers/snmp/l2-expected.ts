import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturesDir } from '../../../src/lab/paths.js';

/**
 * The ARP, FDB and VLAN rows of a shared recording, decoded straight from its .snmprec lines (oid|type|value) by
 * the MIB definitions, without Noctua's parsers: what the inventory poll must report for the same recording.
 */

type Lines = Map<string, { type: string; value: string }>;

/** The lines of a shared recording (or of `recording`, a variation of one). */
export function read(name: string, recording?: string): Lines {
  const out: Lines = new Map();
  for (const line of (recording ?? readFileSync(join(fixturesDir(), 'snmprec', `${name}.snmprec`), 'utf8')).split('\n')) {
    const [oid, type, ...rest] = line.split('|');
    if (oid && type !== undefined) out.set(oid, { type, value: rest.join('|') });
  }
  return out;
}

/** Rows of one column: index suffix -> value. */
function column(lines: Lines, oid: string): Map<string, { type: string; value: string }> {
  const out = new Map<string, { type: string; value: string }>();
  for (const [k, v] of lines) if (k.startsWith(`${oid}.`)) out.set(k.slice(oid.length + 1), v);
  return out;
}

const text = (v: { type: string; value: string } | undefined): string =>
  v === undefined ? '' : v.type === '4x' ? Buffer.from(v.value, 'hex').toString('utf8').replace(/\0+$/, '').trim() : v.value.trim();
const hexMac = (v: { type: string; value: string } | undefined): string | undefined =>
  v?.type === '4x' && v.value.length === 12 ? v.value.toLowerCase().match(/../g)!.join(':') : undefined;

function ifNames(lines: Lines): Map<string, string> {
  const names = column(lines, '1.3.6.1.2.1.31.1.1.1.1');
  const descr = column(lines, '1.3.6.1.2.1.2.2.1.2');
  const out = new Map<string, string>();
  for (const i of new Set([...names.keys(), ...descr.keys()])) out.set(i, text(names.get(i)) || text(descr.get(i)));
  return out;
}

/** An expected `fdb` row. */
export interface FdbRow { entry: string; ifIndex?: string; ifName: string; mac: string; bridge_port: number; status: string; fdb_id?: number; vlan?: number }
/** An expected `arp` row. */
export interface ArpRow { entry: string; ifIndex: string; ifName: string; ip: string; mac: string; type: string }
/** An expected `vlan` row. */
export interface VlanRow { vlan: number; name: string; status: string; source: string }

const FDB_STATUS: Record<string, string> = { '1': 'other', '3': 'learned', '4': 'self', '5': 'mgmt' };

/** dot1qTpFdbTable when it has rows, else dot1dTpFdbTable; ports through dot1dBasePortIfIndex. */
export function expectedFdb(name: string): FdbRow[] {
  const lines = read(name);
  const names = ifNames(lines);
  const base = column(lines, '1.3.6.1.2.1.17.1.4.1.2');
  const q = column(lines, '1.3.6.1.2.1.17.7.1.2.2.1.2');
  const useQ = q.size > 0;
  const status = column(lines, useQ ? '1.3.6.1.2.1.17.7.1.2.2.1.3' : '1.3.6.1.2.1.17.4.3.1.3');
  const fidVlan = new Map<number, number>();
  for (const [idx, v] of column(lines, '1.3.6.1.2.1.17.7.1.4.2.1.3')) {
    const vlan = Number(idx.split('.')[1]);
    const fid = Number(v.value);
    if (!fidVlan.has(fid) || vlan < fidVlan.get(fid)!) fidVlan.set(fid, vlan);
  }
  const rows: FdbRow[] = [];
  for (const [idx, v] of useQ ? q : column(lines, '1.3.6.1.2.1.17.4.3.1.2')) {
    const parts = idx.split('.');
    const macParts = useQ ? parts.slice(1) : parts;
    if (macParts.length !== 6) continue;
    const st = status.get(idx)?.value;
    if (st === '2') continue;
    const port = Number(v.value);
    const ifIndex = base.has(String(port)) && Number(base.get(String(port))!.value) > 0 ? base.get(String(port))!.value : undefined;
    const row: FdbRow = {
      entry: idx, ifName: (ifIndex && names.get(ifIndex)) || (port > 0 ? `bridge port ${port}` : ''),
      mac: macParts.map((p) => Number(p).toString(16).padStart(2, '0')).join(':'), bridge_port: port, status: FDB_STATUS[st ?? ''] ?? 'other',
    };
    if (ifIndex) row.ifIndex = ifIndex;
    if (useQ) {
      row.fdb_id = Number(parts[0]);
      const vlan = fidVlan.get(row.fdb_id) ?? (row.fdb_id >= 1 && row.fdb_id <= 4094 ? row.fdb_id : undefined);
      if (vlan !== undefined) row.vlan = vlan;
    }
    rows.push(row);
  }
  return rows;
}

const ARP_TYPE: Record<string, string> = { '1': 'other', '3': 'dynamic', '4': 'static', '5': 'local' };

/**
 * ipNetToPhysicalTable (IPv4, IPv6), then, only when it has no IPv4 entry, ipNetToMediaTable for interface+address
 * pairs it lacks; zero MACs and invalid rows out.
 */
export function expectedArp(name: string): ArpRow[] {
  const lines = read(name);
  const names = ifNames(lines);
  const rows: ArpRow[] = [];
  const seen = new Set<string>();
  const add = (ifIndex: string, ip: string, mac: string | undefined, type: string | undefined) => {
    const entry = `${ifIndex}.${ip}`;
    if (!mac || mac === '00:00:00:00:00:00' || seen.has(entry) || type === '2') return;
    seen.add(entry);
    rows.push({ entry, ifIndex, ifName: names.get(ifIndex) || `ifIndex ${ifIndex}`, ip, mac, type: ARP_TYPE[type ?? '1'] ?? 'other' });
  };
  const physType = column(lines, '1.3.6.1.2.1.4.35.1.6');
  for (const [idx, v] of column(lines, '1.3.6.1.2.1.4.35.1.4')) {
    const [ifIndex, t, len, ...addr] = idx.split('.');
    if (t === '1' && len === '4' && addr.length === 4) add(ifIndex!, addr.join('.'), hexMac(v), physType.get(idx)?.value);
    if (t === '2' && len === '16' && addr.length === 16) {
      const b = addr.map(Number);
      const ip = Array.from({ length: 8 }, (_, i) => ((b[2 * i]! << 8) | b[2 * i + 1]!).toString(16)).join(':');
      add(ifIndex!, ip, hexMac(v), physType.get(idx)?.value);
    }
  }
  const mediaType = column(lines, '1.3.6.1.2.1.4.22.1.4');
  const physHasV4 = [...column(lines, '1.3.6.1.2.1.4.35.1.4').keys()].some((idx) => idx.split('.')[1] === '1');
  for (const [idx, v] of physHasV4 ? [] : column(lines, '1.3.6.1.2.1.4.22.1.2')) {
    const [ifIndex, ...addr] = idx.split('.');
    if (addr.length === 4) add(ifIndex!, addr.join('.'), hexMac(v), mediaType.get(idx)?.value);
  }
  return rows;
}

/**
 * The vendor VLAN tables by profile (HUAWEI-L2VLAN-MIB hwL2VlanName then hwL2VlanDescr, status hwL2VlanCreateStatus;
 * HH3C-LswVLAN-MIB hh3cdot1qVlanName, status hh3cdot1qVlanStatus), as the MIB texts define them.
 */
const VENDOR_VLANS: Record<string, { names: string[]; status: string }> = {
  huawei: { names: ['1.3.6.1.4.1.2011.5.25.42.3.1.1.1.1.17', '1.3.6.1.4.1.2011.5.25.42.3.1.1.1.1.2'], status: '1.3.6.1.4.1.2011.5.25.42.3.1.1.1.1.11' },
  h3c: { names: ['1.3.6.1.4.1.25506.8.35.2.1.1.1.2'], status: '1.3.6.1.4.1.25506.8.35.2.1.1.1.10' },
};

/** Q-BRIDGE names filled from the vendor's table where empty, plus the VLANs only the vendor's table lists. */
function withVendor(lines: Lines, rows: VlanRow[], profile: string): VlanRow[] {
  const t = VENDOR_VLANS[profile];
  if (!t || (rows.length > 0 && rows.every((r) => r.name !== ''))) return rows;
  const cols = t.names.map((c) => column(lines, c));
  const status = column(lines, t.status);
  const ids = new Set([...cols.flatMap((c) => [...c.keys()]), ...status.keys()].map(Number).filter((n) => n >= 1 && n <= 4094));
  const nameOf = (id: number) => cols.map((c) => text(c.get(String(id)))).find((n) => n !== '') ?? '';
  const out = rows.map((r) => (r.name === '' && nameOf(r.vlan) ? { ...r, name: nameOf(r.vlan) } : r));
  for (const id of ids) {
    if (rows.some((r) => r.vlan === id)) continue;
    out.push({ vlan: id, name: nameOf(id), status: ({ '1': 'other', '2': 'static', '3': 'dynamic' } as Record<string, string>)[status.get(String(id))?.value ?? ''] ?? 'other', source: profile });
  }
  return out.sort((a, b) => a.vlan - b.vlan);
}

/** Q-BRIDGE static names and current status (empty names from the vendor profile's table); CISCO-VTP vtpVlanTable when there are none. */
export function expectedVlans(name: string, ciscoVtp: boolean, profile = name.split('-')[0]!, lines = read(name)): VlanRow[] {
  const names = column(lines, '1.3.6.1.2.1.17.7.1.4.3.1.1');
  const status = new Map<string, string>();
  for (const [idx, v] of column(lines, '1.3.6.1.2.1.17.7.1.4.2.1.6')) status.set(idx.split('.')[1]!, ({ '1': 'other', '2': 'permanent', '3': 'dynamic-gvrp' } as Record<string, string>)[v.value] ?? 'other');
  const ids = [...new Set([...names.keys(), ...status.keys()])].map(Number).filter((n) => n >= 1 && n <= 4094).sort((a, b) => a - b);
  const q = ids.map((id) => ({ vlan: id, name: text(names.get(String(id))), status: status.get(String(id)) ?? 'static', source: 'qbridge' }));
  if (ids.length > 0 || !ciscoVtp) return withVendor(lines, q, profile);
  const vtpNames = column(lines, '1.3.6.1.4.1.9.9.46.1.3.1.1.4');
  const vtpState = column(lines, '1.3.6.1.4.1.9.9.46.1.3.1.1.2');
  const out = new Map<number, VlanRow>();
  for (const [idx, v] of vtpNames) {
    const id = Number(idx.split('.')[1]);
    if (id < 1 || id > 4094 || out.has(id)) continue;
    out.set(id, { vlan: id, name: text(v), status: ({ '1': 'operational', '2': 'suspended', '3': 'mtu-too-big-for-device', '4': 'mtu-too-big-for-trunk' } as Record<string, string>)[vtpState.get(idx)?.value ?? ''] ?? 'other', source: 'cisco-vtp' });
  }
  return [...out.entries()].sort(([a], [b]) => a - b).map(([, r]) => r);
}
