import type { RawSample } from '../metrics.js';
import { LocalPorts, LOCAL_PORT_COLUMNS } from '../neighbors/local-ports.js';
import type { ColumnValues } from '../session.js';
import { ARP_COLUMNS, ARP_MEDIA_COLUMNS, needsMediaTable, parseArp } from './arp.js';
import { FDB_COLUMNS, parseFdb } from './fdb.js';
import { needsVendorVlanNames, parseQBridgeVlans, parseVtpVlans, QBRIDGE_VLAN_COLUMNS, vendorVlanColumns, VTP_VLAN_COLUMNS, withVendorVlanNames, type VendorVlanNames } from './vlan.js';

/**
 * Layer-2 tables a profile can ask for (`l2: [arp, fdb, vlan]`), read on the inventory interval into `arp`, `fdb`
 * and `vlan` samples that only the topology store keeps (docs/SCHEMA.md, docs/TOPOLOGY.md), plus one stored `l2`
 * sample of counts. A `fallback` table is read only when the standard tables of its measurement gave no rows.
 */
export const L2_TABLES = {
  arp: { measurement: 'arp', columns: Object.values(ARP_COLUMNS), parse: parseArp, fallback: false },
  fdb: { measurement: 'fdb', columns: Object.values(FDB_COLUMNS), parse: parseFdb, fallback: false },
  vlan: { measurement: 'vlan', columns: Object.values(QBRIDGE_VLAN_COLUMNS), parse: parseQBridgeVlans, fallback: false },
  'cisco-vtp-vlan': { measurement: 'vlan', columns: Object.values(VTP_VLAN_COLUMNS), parse: parseVtpVlans, fallback: true },
} as const satisfies Record<string, { measurement: L2Measurement; columns: string[]; parse: (cols: ColumnValues, ports: LocalPorts) => RawSample[]; fallback: boolean }>;

/** A layer-2 table name, as profiles list it. */
export type L2Table = keyof typeof L2_TABLES;
/** The table names, for the profile schema. */
export const L2_TABLE_NAMES = Object.keys(L2_TABLES) as [L2Table, ...L2Table[]];
/** The bus-only measurements the tables become. */
export type L2Measurement = 'arp' | 'fdb' | 'vlan';

/** Rows kept per device and table (topology.l2 in noctua.yaml); the rest are counted as truncated. */
export interface L2Limits { fdb: number; arp: number; vlan: number }
/** The defaults of {@link L2Limits}: a 48-port access switch rarely learns 2,000 MACs; a core's ARP cache can reach tens of thousands. */
export const DEFAULT_L2_LIMITS: L2Limits = { fdb: 16_384, arp: 16_384, vlan: 4_094 };

/** Walks columns (the poller's walk, which survives a table the agent chokes on). */
export type WalkColumns = (columns: Set<string>) => Promise<ColumnValues>;

/**
 * Columns walked in a second step only when the first walk says they are needed: BRIDGE-MIB's FDB when Q-BRIDGE's
 * has no rows, ipNetToMediaTable when ipNetToPhysicalTable has no IPv4 entry (the same MACs are not walked twice).
 */
const SECOND_STEP: readonly { table: L2Table; columns: readonly string[]; needed: (cols: ColumnValues) => boolean }[] = [
  { table: 'fdb', columns: [FDB_COLUMNS.dPort, FDB_COLUMNS.dStatus], needed: (cols) => (cols.get(FDB_COLUMNS.qPort)?.size ?? 0) === 0 },
  { table: 'arp', columns: ARP_MEDIA_COLUMNS, needed: needsMediaTable },
];
const LATER = new Set(SECOND_STEP.flatMap((s) => s.columns));

/**
 * Reads the tables, caps each measurement at its limit, and adds the `l2` count sample (`<m>_entries` kept,
 * `<m>_truncated` left out) for every measurement asked for. `vendorVlans` (the vendor profile's `vlanNames:`) is
 * walked only when Q-BRIDGE left a VLAN unnamed or listed none.
 */
export async function collectL2(tables: ReadonlySet<L2Table>, walk: WalkColumns, limits: L2Limits, vendorVlans?: VendorVlanNames): Promise<RawSample[]> {
  if (tables.size === 0) return [];
  const standard = [...tables].filter((t) => !L2_TABLES[t].fallback);
  const columns = new Set<string>(LOCAL_PORT_COLUMNS);
  for (const t of standard) for (const c of L2_TABLES[t].columns) if (!LATER.has(c)) columns.add(c);
  const cols = await walk(columns);
  const later = new Set(SECOND_STEP.filter((s) => tables.has(s.table) && s.needed(cols)).flatMap((s) => s.columns));
  if (later.size > 0) for (const [k, v] of await walk(later)) cols.set(k, v);
  const ports = new LocalPorts(cols);
  const by = new Map<L2Measurement, RawSample[]>();
  for (const t of standard) by.set(L2_TABLES[t].measurement, [...(by.get(L2_TABLES[t].measurement) ?? []), ...L2_TABLES[t].parse(cols, ports)]);
  if (tables.has('vlan') && vendorVlans && needsVendorVlanNames(by.get('vlan') ?? [])) {
    by.set('vlan', withVendorVlanNames(by.get('vlan') ?? [], await walk(new Set(vendorVlanColumns(vendorVlans))), vendorVlans));
  }
  for (const t of [...tables].filter((x) => L2_TABLES[x].fallback)) {
    const m = L2_TABLES[t].measurement;
    if ((by.get(m)?.length ?? 0) > 0) continue;
    const extra = await walk(new Set(L2_TABLES[t].columns));
    by.set(m, L2_TABLES[t].parse(extra, ports));
  }
  const out: RawSample[] = [];
  const counts: RawSample['fields'] = {};
  for (const [m, rows] of by) {
    const kept = rows.slice(0, limits[m]);
    out.push(...kept);
    counts[`${m}_entries`] = BigInt(kept.length);
    counts[`${m}_truncated`] = BigInt(rows.length - kept.length);
  }
  out.push({ measurement: 'l2', tags: {}, fields: counts });
  return out;
}
