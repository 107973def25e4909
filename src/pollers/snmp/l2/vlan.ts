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
