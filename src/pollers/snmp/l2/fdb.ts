import type { RawSample } from '../metrics.js';
import { snmpNumber } from '../metrics.js';
import type { ColumnValues } from '../session.js';
import type { LocalPorts } from '../neighbors/local-ports.js';

/** BRIDGE-MIB (RFC 4188) and Q-BRIDGE-MIB (RFC 4363): the forwarding databases and the bridge port → ifIndex map. */
const BRIDGE = '1.3.6.1.2.1.17';
const Q = `${BRIDGE}.7.1`;

/** Columns read for the forwarding database. */
export const FDB_COLUMNS = {
  /** dot1dBasePortIfIndex, indexed by bridge port number. */
  basePortIfIndex: `${BRIDGE}.1.4.1.2`,
  /** dot1dTpFdbPort and dot1dTpFdbStatus, indexed by the MAC's six octets. */
  dPort: `${BRIDGE}.4.3.1.2`, dStatus: `${BRIDGE}.4.3.1.3`,
  /** dot1qTpFdbPort and dot1qTpFdbStatus, indexed by dot1qFdbId then the MAC's six octets. */
  qPort: `${Q}.2.2.1.2`, qStatus: `${Q}.2.2.1.3`,
  /** dot1qVlanFdbId (dot1qVlanCurrentTable), indexed by timeMark.vlan: which filtering database a VLAN learns into. */
  vlanFdbId: `${Q}.4.2.1.3`,
} as const;

/** dot1dTpFdbStatus / dot1qTpFdbStatus values; invalid(2) rows are left out. */
const STATUS: Record<number, string> = { 1: 'other', 3: 'learned', 4: 'self', 5: 'mgmt' };

/** aa:bb:cc:dd:ee:ff from six decimal sub-identifiers; undefined when any is not an octet. */
export function macFromIndex(parts: readonly string[]): string | undefined {
  if (parts.length !== 6) return undefined;
  const bytes = parts.map(Number);
  if (bytes.some((b) => !Number.isInteger(b) || b < 0 || b > 255)) return undefined;
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/**
 * The VLAN of each filtering database id, from dot1qVlanFdbId. Several VLANs sharing one database (shared VLAN
 * learning) make the VLAN of a MAC ambiguous: the lowest VLAN id is taken, as the switch's own CLI lists it first.
 */
function vlanByFdbId(cols: ColumnValues): Map<number, number> {
  const out = new Map<number, number>();
  for (const [index, v] of cols.get(FDB_COLUMNS.vlanFdbId) ?? []) {
    const vlan = Number(index.split('.')[1]);
    const fid = snmpNumber(v);
    if (fid === undefined || !Number.isInteger(vlan)) continue;
    const had = out.get(fid);
    if (had === undefined || vlan < had) out.set(fid, vlan);
  }
  return out;
}

/**
 * The VLAN of a Q-BRIDGE row: by dot1qVlanFdbId when the agent maps the database to a VLAN, else the id itself
 * when it is a VLAN id (1-4094: switches with independent learning number databases by VLAN), else none
 * (Junos numbers its databases from 131072 and publishes no map).
 */
function vlanOf(fid: number, byFid: ReadonlyMap<number, number>): number | undefined {
  return byFid.get(fid) ?? (fid >= 1 && fid <= 4094 ? fid : undefined);
}

/**
 * One `fdb` sample per forwarding-database row. Q-BRIDGE's dot1qTpFdbTable is read when the agent has it (it
 * carries the VLAN); BRIDGE-MIB's dot1dTpFdbTable only when it has not. The bridge port becomes an ifIndex
 * through dot1dBasePortIfIndex, and an interface name through ifName/ifDescr.
 */
export function parseFdb(cols: ColumnValues, ports: LocalPorts): RawSample[] {
  const ifIndexOf = new Map<number, string>();
  for (const [port, v] of cols.get(FDB_COLUMNS.basePortIfIndex) ?? []) {
    const n = snmpNumber(v);
    if (n !== undefined && n > 0) ifIndexOf.set(Number(port), String(n));
  }
  const qRows = cols.get(FDB_COLUMNS.qPort) ?? new Map();
  const useQ = qRows.size > 0;
  const byFid = useQ ? vlanByFdbId(cols) : new Map<number, number>();
  const rows = useQ ? qRows : cols.get(FDB_COLUMNS.dPort) ?? new Map();
  const statusCol = cols.get(useQ ? FDB_COLUMNS.qStatus : FDB_COLUMNS.dStatus);
  const out: RawSample[] = [];
  for (const [index, v] of rows) {
    const parts = index.split('.');
    const fid = useQ ? Number(parts[0]) : undefined;
    const mac = macFromIndex(useQ ? parts.slice(1) : parts);
    if (!mac || (fid !== undefined && !Number.isInteger(fid))) continue;
    const statusNum = snmpNumber(statusCol?.get(index));
    if (statusNum === 2) continue;
    const bridgePort = snmpNumber(v) ?? 0;
    const ifIndex = ifIndexOf.get(bridgePort);
    const tags: Record<string, string> = {
      entry: index, ifName: (ifIndex !== undefined && ports.index(ifIndex)?.ifName) || (bridgePort > 0 ? `bridge port ${bridgePort}` : ''),
    };
    if (ifIndex !== undefined) tags.ifIndex = ifIndex;
    const fields: RawSample['fields'] = { mac, bridge_port: BigInt(bridgePort), status: STATUS[statusNum ?? 0] ?? 'other' };
    if (fid !== undefined) {
      fields.fdb_id = BigInt(fid);
      const vlan = vlanOf(fid, byFid);
      if (vlan !== undefined) fields.vlan = BigInt(vlan);
    }
    out.push({ measurement: 'fdb', tags, fields });
  }
  return out;
}
