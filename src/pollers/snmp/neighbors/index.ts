import type { RawSample } from '../metrics.js';
import type { ColumnValues } from '../session.js';
import { CDP_COLUMNS, parseCdp } from './cdp.js';
import { LocalPorts, LOCAL_PORT_COLUMNS } from './local-ports.js';
import { LLDP_COLUMNS, parseLldp } from './lldp.js';

/**
 * Neighbour tables a profile can ask for (`neighbors: [lldp, cdp]`), read on the inventory interval into
 * `neighbor` samples (docs/SCHEMA.md, docs/TOPOLOGY.md). One entry per protocol: its columns and its parser.
 */
export const NEIGHBOR_TABLES = {
  lldp: { columns: Object.values(LLDP_COLUMNS), parse: parseLldp },
  cdp: { columns: Object.values(CDP_COLUMNS), parse: parseCdp },
} as const;

/** A neighbour protocol name. */
export type NeighborTable = keyof typeof NEIGHBOR_TABLES;
/** The protocol names, for the profile schema. */
export const NEIGHBOR_TABLE_NAMES = Object.keys(NEIGHBOR_TABLES) as [NeighborTable, ...NeighborTable[]];

/** Every column to walk for these tables, with the ifName/ifDescr columns that name local ports. */
export function neighborColumns(tables: Iterable<NeighborTable>): string[] {
  const cols = new Set<string>();
  for (const t of tables) for (const c of NEIGHBOR_TABLES[t].columns) cols.add(c);
  if (cols.size > 0) for (const c of LOCAL_PORT_COLUMNS) cols.add(c);
  return [...cols];
}

/** The `neighbor` samples of the walked columns, table by table. */
export function parseNeighbors(tables: Iterable<NeighborTable>, cols: ColumnValues): RawSample[] {
  const ports = new LocalPorts(cols);
  return [...tables].flatMap((t) => NEIGHBOR_TABLES[t].parse(cols, ports));
}

export { LLDP_LOCAL_CHASSIS, localChassisId } from './lldp.js';
