import type { RawSample } from '../metrics.js';
import { snmpNumber, snmpText } from '../metrics.js';
import type { ColumnValues } from '../session.js';

/** Q-BRIDGE-MIB (RFC 4363) VLAN tables, and CISCO-VTP-MIB's vtpVlanTable for Cisco agents without Q-BRIDGE. */
const Q = '1.3.6.1.2.1.17.7.1.4';
const VTP = '1.3.6.1.4.1.9.9.46.1.3.1.1';

/** Columns of the standard VLAN tables. */
export const QBRIDGE_VLAN_COLUMNS = {
  /** dot1qVlanStaticName, indexed by VLAN id. */
  staticName: `${Q}.3.1.1`,
  /** dot1qVlanStatus (dot1qVlanCurrentTable), indexed by timeMark.vlan. */
  currentStatus: `${Q}.2.1.6`,
} as const;

/** Columns of CISCO-VTP-MIB vtpVlanTable, indexed by managementDomainIndex.vlan. */
export const VTP_VLAN_COLUMNS = { state: `${VTP}.2`, name: `${VTP}.4` } as const;

const Q_STATUS: Record<number, string> = { 1: 'other', 2: 'permanent', 3: 'dynamic-gvrp' };
const VTP_STATE: Record<number, string> = { 1: 'operational', 2: 'suspended', 3: 'mtu-too-big-for-device', 4: 'mtu-too-big-for-trunk' };

function vlanSample(id: number, name: string, status: string, source: string): RawSample {
  return { measurement: 'vlan', tags: { entry: String(id) }, fields: { vlan: BigInt(id), name, status, source } };
}

const isVlanId = (n: number): boolean => Number.isInteger(n) && n >= 1 && n <= 4094;

/** One `vlan` sample per VLAN in dot1qVlanStaticTable or dot1qVlanCurrentTable (status from the current table). */
export function parseQBridgeVlans(cols: ColumnValues): RawSample[] {
  const names = new Map<number, string>();
  for (const [index, v] of cols.get(QBRIDGE_VLAN_COLUMNS.staticName) ?? []) names.set(Number(index), snmpText(v) ?? '');
  const status = new Map<number, string>();
  for (const [index, v] of cols.get(QBRIDGE_VLAN_COLUMNS.currentStatus) ?? []) {
    status.set(Number(index.split('.')[1]), Q_STATUS[snmpNumber(v) ?? 0] ?? 'other');
  }
  const ids = [...new Set([...names.keys(), ...status.keys()])].filter(isVlanId).sort((a, b) => a - b);
  return ids.map((id) => vlanSample(id, names.get(id) ?? '', status.get(id) ?? 'static', 'qbridge'));
}

/** One `vlan` sample per vtpVlanTable row (VLANs of every management domain, the first domain's name winning). */
export function parseVtpVlans(cols: ColumnValues): RawSample[] {
  const byId = new Map<number, RawSample>();
  const state = cols.get(VTP_VLAN_COLUMNS.state);
  for (const [index, v] of cols.get(VTP_VLAN_COLUMNS.name) ?? []) {
    const id = Number(index.split('.')[1]);
    if (!isVlanId(id) || byId.has(id)) continue;
    byId.set(id, vlanSample(id, snmpText(v) ?? '', VTP_STATE[snmpNumber(state?.get(index)) ?? 0] ?? 'other', 'cisco-vtp'));
  }
  return [...byId.entries()].sort(([a], [b]) => a - b).map(([, s]) => s);
}

/**
 * A vendor's VLAN table as a profile declares it (`vlanNames:` in the profile YAML): name columns indexed by the VLAN
 * id, the first non-empty one winning (Huawei: hwL2VlanName, then hwL2VlanDescr), and optionally a status column
 * with its enumeration. Read only for VLANs whose Q-BRIDGE name is empty or that Q-BRIDGE does not list.
 */
export interface VendorVlanNames {
  /** The profile that declares it, written as the row's `source`. */
  source: string;
  names: readonly string[];
  status?: { column: string; values: Readonly<Record<string, string>> };
}

/** The columns to walk for a vendor VLAN table. */
export function vendorVlanColumns(v: VendorVlanNames): string[] {
  return [...v.names, ...(v.status ? [v.status.column] : [])];
}

/** Whether Q-BRIDGE left a VLAN without a name (or gave no VLANs at all): only then is the vendor table walked. */
export function needsVendorVlanNames(qbridge: readonly RawSample[]): boolean {
  return qbridge.length === 0 || qbridge.some((s) => s.fields.name === '');
}

/**
 * Fills the empty names of Q-BRIDGE's VLANs from the vendor's table and adds the VLANs only the vendor's table lists
 * (an agent without Q-BRIDGE, such as the Huawei S5720), with the profile as their source. A Q-BRIDGE name that is
 * set is kept: it is the standard's word for the same thing.
 */
export function withVendorVlanNames(qbridge: readonly RawSample[], cols: ColumnValues, v: VendorVlanNames): RawSample[] {
  const vendor = new Map<number, string>();
  for (const column of v.names) {
    for (const [index, value] of cols.get(column) ?? []) {
      const id = Number(index);
      const name = snmpText(value) ?? '';
      if (isVlanId(id) && name !== '' && !vendor.has(id)) vendor.set(id, name);
    }
  }
  // A VLAN the vendor's table lists without any name is still a VLAN of the device.
  for (const column of vendorVlanColumns(v)) {
    for (const index of cols.get(column)?.keys() ?? []) if (isVlanId(Number(index)) && !vendor.has(Number(index))) vendor.set(Number(index), '');
  }
  const status = (id: number): string => {
    if (!v.status) return 'other';
    const raw = snmpNumber(cols.get(v.status.column)?.get(String(id)));
    return raw === undefined ? 'other' : v.status.values[String(raw)] ?? 'other';
  };
  const out = qbridge.map((s) => {
    const id = Number(s.fields.vlan);
    const name = vendor.get(id);
    return s.fields.name === '' && name ? { ...s, fields: { ...s.fields, name } } : s;
  });
  const listed = new Set(qbridge.map((s) => Number(s.fields.vlan)));
  for (const id of [...vendor.keys()].filter((x) => !listed.has(x)).sort((a, b) => a - b)) out.push(vlanSample(id, vendor.get(id)!, status(id), v.source));
  return out.sort((a, b) => Number(a.fields.vlan) - Number(b.fields.vlan));
}
