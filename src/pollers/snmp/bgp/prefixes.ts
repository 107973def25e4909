import { ipText } from '../neighbors/encode.js';
import type { ColumnValues, SnmpValue } from '../session.js';
import { counter, peerOfIndex } from './peers.js';

/**
 * Accepted and advertised prefix counts per peer from the vendor MIBs that have them, summed over the peer's
 * address families (IPv4 unicast, VPNv4, ...). BGP4-MIB itself has no prefix counts.
 */
export interface PrefixCounts { accepted?: bigint; advertised?: bigint }

/** One vendor table: the columns to walk and how a row's index (and joins) name the peer. */
export interface PrefixSource {
  columns: string[];
  parse(cols: ColumnValues): Map<string, PrefixCounts>;
}

function add(out: Map<string, PrefixCounts>, peer: string, accepted: SnmpValue | undefined, advertised: SnmpValue | undefined): void {
  const a = counter(accepted);
  const d = counter(advertised);
  if (a === undefined && d === undefined) return;
  const c = out.get(peer) ?? {};
  if (a !== undefined) c.accepted = (c.accepted ?? 0n) + a;
  if (d !== undefined) c.advertised = (c.advertised ?? 0n) + d;
  out.set(peer, c);
}

/** Sub-identifiers of an index; undefined when one is not a whole number. */
function subIds(index: string): number[] | undefined {
  const parts = index.split('.').map(Number);
  return parts.every((p) => Number.isInteger(p) && p >= 0) ? parts : undefined;
}

/** An InetAddress written into an index as length + octets (not IMPLIED); undefined unless 4 or 16 octets 0..255. */
export function inetAddressOfIndex(parts: readonly number[]): string | undefined {
  const len = parts[0];
  if ((len !== 4 && len !== 16) || parts.length !== len + 1) return undefined;
  const bytes = parts.slice(1);
  return bytes.every((b) => b <= 255) ? ipText(bytes) : undefined;
}

/** CISCO-BGP4-MIB cbgpPeerAddrFamilyPrefixTable: index bgpPeerRemoteAddr (4) . afi . safi. */
const CISCO = { accepted: '1.3.6.1.4.1.9.9.187.1.2.4.1.1', advertised: '1.3.6.1.4.1.9.9.187.1.2.4.1.6' };

const cisco: PrefixSource = {
  columns: Object.values(CISCO),
  parse(cols) {
    const out = new Map<string, PrefixCounts>();
    const rows = new Set([...(cols.get(CISCO.accepted)?.keys() ?? []), ...(cols.get(CISCO.advertised)?.keys() ?? [])]);
    for (const index of rows) {
      const parts = index.split('.');
      if (parts.length !== 6) continue;
      const peer = peerOfIndex(parts.slice(0, 4).join('.'));
      if (peer) add(out, peer, cols.get(CISCO.accepted)?.get(index), cols.get(CISCO.advertised)?.get(index));
    }
    return out;
  },
};

/**
 * BGP4-V2-MIB-JUNIPER: jnxBgpM2PrefixCountersTable is indexed by jnxBgpM2PeerIndex . afi . safi; the peer's
 * address comes from jnxBgpM2PeerTable (jnxBgpM2PeerIndex and jnxBgpM2PeerRemoteAddr of the same row).
 */
const JUNIPER = {
  remoteAddr: '1.3.6.1.4.1.2636.5.1.1.2.1.1.1.11',
  peerIndex: '1.3.6.1.4.1.2636.5.1.1.2.1.1.1.14',
  accepted: '1.3.6.1.4.1.2636.5.1.1.2.6.2.1.8',
  advertised: '1.3.6.1.4.1.2636.5.1.1.2.6.2.1.10',
};

const juniper: PrefixSource = {
  columns: Object.values(JUNIPER),
  parse(cols) {
    const byPeerIndex = new Map<string, string>();
    for (const [row, idx] of cols.get(JUNIPER.peerIndex) ?? []) {
      const addr = cols.get(JUNIPER.remoteAddr)?.get(row);
      const peer = Buffer.isBuffer(addr) ? ipText([...addr]) : undefined;
      if (peer) byPeerIndex.set(String(idx), peer);
    }
    const out = new Map<string, PrefixCounts>();
    const rows = new Set([...(cols.get(JUNIPER.accepted)?.keys() ?? []), ...(cols.get(JUNIPER.advertised)?.keys() ?? [])]);
    for (const index of rows) {
      const parts = index.split('.');
      if (parts.length !== 3) continue;
      const peer = byPeerIndex.get(parts[0]!);
      if (peer) add(out, peer, cols.get(JUNIPER.accepted)?.get(index), cols.get(JUNIPER.advertised)?.get(index));
    }
    return out;
  },
};

/**
 * HUAWEI-BGP-VPN-MIB hwBgpPeerRouteTable (hwBgpPeerPrefixRcvCounter, hwBgpPeerPrefixAdvCounter), indexed like
 * hwBgpPeerAddrFamilyTable: instance id . afi . safi . address type . InetAddress (length + octets).
 */
const HUAWEI = { received: '1.3.6.1.4.1.2011.5.25.177.1.1.3.1.1', advertised: '1.3.6.1.4.1.2011.5.25.177.1.1.3.1.3' };

const huawei: PrefixSource = {
  columns: Object.values(HUAWEI),
  parse(cols) {
    const out = new Map<string, PrefixCounts>();
    const rows = new Set([...(cols.get(HUAWEI.received)?.keys() ?? []), ...(cols.get(HUAWEI.advertised)?.keys() ?? [])]);
    for (const index of rows) {
      const parts = subIds(index);
      // Only the public instance (0): VPN instances may reuse a peer address, and `peer` names one session.
      if (!parts || parts.length < 5 || parts[0] !== 0) continue;
      const peer = inetAddressOfIndex(parts.slice(4));
      if (peer) add(out, peer, cols.get(HUAWEI.received)?.get(index), cols.get(HUAWEI.advertised)?.get(index));
    }
    return out;
  },
};

/** Prefix-count sources a profile can name in its `bgp:` list, beside `bgp4` (the peer table itself). */
export const PREFIX_SOURCES = { 'cisco-prefixes': cisco, 'juniper-prefixes': juniper, 'huawei-prefixes': huawei } as const;
