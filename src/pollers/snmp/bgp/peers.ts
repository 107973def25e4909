import type { FieldValue } from '../../../core/sample.js';
import { snmpNumber } from '../metrics.js';
import type { ColumnValues, SnmpValue } from '../session.js';
import { ipText } from '../neighbors/encode.js';

/** BGP4-MIB (RFC 4273) bgpPeerTable columns, indexed by the peer's IPv4 address (bgpPeerRemoteAddr, 4 sub-identifiers). */
export const BGP_PEER = {
  identifier: '1.3.6.1.2.1.15.3.1.1',
  state: '1.3.6.1.2.1.15.3.1.2',
  adminStatus: '1.3.6.1.2.1.15.3.1.3',
  localAddr: '1.3.6.1.2.1.15.3.1.5',
  remoteAs: '1.3.6.1.2.1.15.3.1.9',
  inUpdates: '1.3.6.1.2.1.15.3.1.10',
  outUpdates: '1.3.6.1.2.1.15.3.1.11',
  establishedTransitions: '1.3.6.1.2.1.15.3.1.15',
  establishedTime: '1.3.6.1.2.1.15.3.1.16',
} as const;

/** bgpPeerState 1..6 as words (the same numbering in HUAWEI-BGP-VPN-MIB and BGP4-V2 MIBs). */
export const BGP_STATES: Readonly<Record<number, string>> = {
  1: 'idle', 2: 'connect', 3: 'active', 4: 'opensent', 5: 'openconfirm', 6: 'established',
};

/** Most peers one device reports: a route server has a few thousand; more is an agent gone wrong. */
export const MAX_PEERS = 5000;

/** An IPv4 address from an IpAddress value (net-snmp gives a dotted string or 4 bytes). */
export function ipValue(v: SnmpValue | undefined): string | undefined {
  if (Buffer.isBuffer(v)) return ipText([...v]);
  const t = typeof v === 'string' ? v : undefined;
  return t !== undefined && /^\d{1,3}(\.\d{1,3}){3}$/.test(t) ? t : undefined;
}

/** The peer address of a bgpPeerTable row: its index must be four sub-identifiers 0..255. */
export function peerOfIndex(index: string): string | undefined {
  const parts = index.split('.').map(Number);
  return parts.length === 4 && parts.every((p) => Number.isInteger(p) && p >= 0 && p <= 255) ? parts.join('.') : undefined;
}

/** A whole non-negative counter as a bigint (Counter32/Gauge32 arrive as numbers). */
export function counter(v: SnmpValue | undefined): bigint | undefined {
  const n = typeof v === 'bigint' ? v : snmpNumber(v);
  if (n === undefined) return undefined;
  if (typeof n === 'bigint') return n >= 0n ? n : undefined;
  return Number.isInteger(n) && n >= 0 ? BigInt(n) : undefined;
}

/** One row of bgpPeerTable as the fields of a `bgp_peer` sample (docs/SCHEMA.md), keyed by peer address. */
export function parsePeers(cols: ColumnValues): Map<string, Record<string, FieldValue>> {
  const out = new Map<string, Record<string, FieldValue>>();
  const states = cols.get(BGP_PEER.state) ?? new Map<string, SnmpValue>();
  const at = (col: string, i: string) => cols.get(col)?.get(i);
  for (const index of [...states.keys()].sort()) {
    const peer = peerOfIndex(index);
    const stateNo = snmpNumber(states.get(index));
    if (peer === undefined || stateNo === undefined) continue;
    const fields: Record<string, FieldValue> = { state: BGP_STATES[stateNo] ?? 'unknown', established: stateNo === 6 };
    const admin = snmpNumber(at(BGP_PEER.adminStatus, index));
    // bgpPeerAdminStatus: stop(1), start(2).
    if (admin === 1 || admin === 2) fields.admin_up = admin === 2;
    const as = counter(at(BGP_PEER.remoteAs, index));
    if (as !== undefined) fields.remote_as = as;
    const id = ipValue(at(BGP_PEER.identifier, index));
    if (id !== undefined) fields.peer_id = id;
    const local = ipValue(at(BGP_PEER.localAddr, index));
    if (local !== undefined) fields.local_addr = local;
    for (const [name, col] of [['in_updates', BGP_PEER.inUpdates], ['out_updates', BGP_PEER.outUpdates], ['established_transitions', BGP_PEER.establishedTransitions]] as const) {
      const c = counter(at(col, index));
      if (c !== undefined) fields[name] = c;
    }
    // bgpPeerFsmEstablishedTime: seconds in (or since leaving) Established; a Gauge32.
    const est = snmpNumber(at(BGP_PEER.establishedTime, index));
    if (est !== undefined && est >= 0) fields.established_s = est;
    out.set(peer, fields);
    if (out.size >= MAX_PEERS) break;
  }
  return out;
}
