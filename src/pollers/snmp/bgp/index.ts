import type { RawSample } from '../metrics.js';
import type { ColumnValues } from '../session.js';
import { BGP_PEER, parsePeers } from './peers.js';
import { PREFIX_SOURCES } from './prefixes.js';
import type { FlapMemory } from './flaps.js';

/**
 * BGP tables a profile can ask for (`bgp: [bgp4, cisco-prefixes]`), read on the SNMP (metrics) poll into `bgp_peer`
 * samples (docs/SCHEMA.md). `bgp4` is BGP4-MIB's bgpPeerTable; the others add the vendor's prefix counts to its peers.
 */
export const BGP_SOURCES = ['bgp4', ...Object.keys(PREFIX_SOURCES) as (keyof typeof PREFIX_SOURCES)[]] as const;
/** A BGP table name. */
export type BgpSource = (typeof BGP_SOURCES)[number];
/** The names, for the profile schema. */
export const BGP_SOURCE_NAMES = BGP_SOURCES as unknown as [BgpSource, ...BgpSource[]];

/** Every column to walk for these sources (the prefix tables only make sense with the peer table). */
export function bgpColumns(sources: Iterable<BgpSource>): string[] {
  const set = new Set(sources);
  if (!set.has('bgp4')) return [];
  const cols = new Set<string>(Object.values(BGP_PEER));
  for (const s of set) if (s !== 'bgp4') for (const c of PREFIX_SOURCES[s].columns) cols.add(c);
  return [...cols];
}

/**
 * The `bgp_peer` samples of the walked columns: one per bgpPeerTable row, with the vendor's prefix counts where a
 * source has them for that peer, and `flaps` from the device's flap memory (sessions re-established since the last poll).
 */
export function parseBgp(sources: Iterable<BgpSource>, cols: ColumnValues, flaps: FlapMemory, nowMs: number): RawSample[] {
  const set = new Set(sources);
  if (!set.has('bgp4')) return [];
  const peers = parsePeers(cols);
  for (const s of set) {
    if (s === 'bgp4') continue;
    for (const [peer, counts] of PREFIX_SOURCES[s].parse(cols)) {
      const f = peers.get(peer);
      if (!f) continue;
      if (counts.accepted !== undefined) f.accepted_prefixes = counts.accepted;
      if (counts.advertised !== undefined) f.advertised_prefixes = counts.advertised;
    }
  }
  const out: RawSample[] = [];
  for (const [peer, fields] of peers) {
    const n = flaps.observe(peer, fields, nowMs);
    if (n !== undefined) fields.flaps = BigInt(n);
    out.push({ measurement: 'bgp_peer', tags: { peer }, fields });
  }
  flaps.keepOnly(new Set(peers.keys()));
  return out;
}

export { FlapMemory } from './flaps.js';
