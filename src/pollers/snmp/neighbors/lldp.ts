import type { RawSample } from '../metrics.js';
import { snmpNumber, snmpText } from '../metrics.js';
import type { ColumnValues, SnmpValue } from '../session.js';
import { bitNames, ipText, macText, networkAddressText } from './encode.js';
import type { LocalPorts } from './local-ports.js';

/** LLDP-MIB (IEEE 802.1AB-2005, 1.0.8802.1.1.2): remote systems, their management addresses, the local ports. */
const LLDP = '1.0.8802.1.1.2.1';
const REM = `${LLDP}.4.1.1`;
const LOC_PORT = `${LLDP}.3.7.1`;

/** Columns read (lldpRemTable, lldpRemManAddrTable's first column, lldpLocPortTable). */
export const LLDP_COLUMNS = {
  remChassisIdSubtype: `${REM}.4`, remChassisId: `${REM}.5`, remPortIdSubtype: `${REM}.6`, remPortId: `${REM}.7`,
  remPortDesc: `${REM}.8`, remSysName: `${REM}.9`, remSysDesc: `${REM}.10`, remSysCapSupported: `${REM}.11`,
  remSysCapEnabled: `${REM}.12`, remManAddrIfSubtype: `${LLDP}.4.2.1.3`,
  locPortIdSubtype: `${LOC_PORT}.2`, locPortId: `${LOC_PORT}.3`, locPortDesc: `${LOC_PORT}.4`,
} as const;

/** lldpLocChassisIdSubtype.0 and lldpLocChassisId.0: the device's own chassis id, to match it to neighbours. */
export const LLDP_LOCAL_CHASSIS = { subtype: `${LLDP}.3.1.0`, id: `${LLDP}.3.2.0` } as const;

const CHASSIS_SUBTYPES: Record<number, string> = {
  1: 'chassis-component', 2: 'interface-alias', 3: 'port-component', 4: 'mac', 5: 'network-address', 6: 'interface-name', 7: 'local',
};
const PORT_SUBTYPES: Record<number, string> = {
  1: 'interface-alias', 2: 'port-component', 3: 'mac', 4: 'network-address', 5: 'interface-name', 6: 'agent-circuit-id', 7: 'local',
};
/** LldpSystemCapabilitiesMap bits, in order. */
const CAPABILITIES = ['other', 'repeater', 'bridge', 'wlan-ap', 'router', 'telephone', 'docsis', 'station'] as const;

/** A chassis or port id as text: MACs and network addresses decoded by subtype, the rest as bounded device text. */
export function lldpId(subtype: number | undefined, value: SnmpValue | undefined, macSubtype: number, netSubtype: number): string {
  if (subtype === macSubtype) return macText(value) ?? snmpText(value) ?? '';
  if (subtype === netSubtype) return networkAddressText(value) ?? '';
  return snmpText(value) ?? '';
}

/** The device's own LLDP chassis id as neighbours report it, or '' (from the two scalars). */
export function localChassisId(subtype: SnmpValue | undefined, id: SnmpValue | undefined): string {
  return id === undefined ? '' : lldpId(snmpNumber(subtype), id, 4, 5);
}

/**
 * Management addresses by `<localPortNum>.<remIndex>`, IPv4 preferred. The index is
 * timeMark.localPortNum.remIndex.addrSubtype.addrLen.addr; the timeMark is ignored because agents
 * (Junos among them) record the address under a different timeMark than the remote row.
 */
function managementAddresses(cols: ColumnValues): Map<string, string> {
  const out = new Map<string, string>();
  for (const index of cols.get(LLDP_COLUMNS.remManAddrIfSubtype)?.keys() ?? []) {
    const parts = index.split('.').map(Number);
    if (parts.length < 6) continue;
    const [, port, rem, family, len, ...rest] = parts as [number, number, number, number, number, ...number[]];
    // Some agents leave out the length octet of the implied-length address.
    const bytes = rest.length === len ? rest : [len, ...rest];
    const addr = ipText(bytes);
    const key = `${port}.${rem}`;
    if (!addr || (family !== 1 && family !== 2)) continue;
    if (!out.has(key) || family === 1 && !out.get(key)!.includes('.')) out.set(key, addr);
  }
  return out;
}

/**
 * The local port of an LLDP port number: by lldpLocPortId when it names an interface (ifName/ifDescr), then
 * by lldpLocPortDesc, then a numeric `local` port id that is an ifIndex (Junos), then the port number as an
 * ifIndex (agents without lldpLocPortTable, where the number is the ifIndex in practice).
 */
function localPort(num: string, cols: ColumnValues, ports: LocalPorts): { ifIndex?: string; ifName: string; id: string; desc: string } {
  const subtype = snmpNumber(cols.get(LLDP_COLUMNS.locPortIdSubtype)?.get(num));
  const id = lldpId(subtype, cols.get(LLDP_COLUMNS.locPortId)?.get(num), 3, 4);
  const desc = snmpText(cols.get(LLDP_COLUMNS.locPortDesc)?.get(num)) ?? '';
  const port = ports.named(id) ?? ports.named(desc) ?? (/^\d+$/.test(id) ? ports.index(id) : undefined) ?? ports.index(num);
  return { ifIndex: port?.ifIndex, ifName: port?.ifName || id || desc || `lldp port ${num}`, id, desc };
}

/** One `neighbor` sample per lldpRemTable row (protocol lldp). */
export function parseLldp(cols: ColumnValues, ports: LocalPorts): RawSample[] {
  const mgmt = managementAddresses(cols);
  const col = (c: string, i: string) => cols.get(c)?.get(i);
  const out: RawSample[] = [];
  const rows = new Set([...(cols.get(LLDP_COLUMNS.remChassisId)?.keys() ?? []), ...(cols.get(LLDP_COLUMNS.remSysName)?.keys() ?? [])]);
  for (const index of rows) {
    const parts = index.split('.');
    if (parts.length !== 3) continue;
    const [, num, rem] = parts as [string, string, string];
    const local = localPort(num, cols, ports);
    const chassisSub = snmpNumber(col(LLDP_COLUMNS.remChassisIdSubtype, index));
    const portSub = snmpNumber(col(LLDP_COLUMNS.remPortIdSubtype, index));
    const tags: Record<string, string> = { protocol: 'lldp', ifName: local.ifName, neighbor: `${num}.${rem}` };
    if (local.ifIndex !== undefined) tags.ifIndex = local.ifIndex;
    out.push({
      measurement: 'neighbor', tags,
      fields: {
        remote_chassis_id: lldpId(chassisSub, col(LLDP_COLUMNS.remChassisId, index), 4, 5),
        remote_chassis_id_subtype: CHASSIS_SUBTYPES[chassisSub ?? 0] ?? 'unknown',
        remote_port_id: lldpId(portSub, col(LLDP_COLUMNS.remPortId, index), 3, 4),
        remote_port_id_subtype: PORT_SUBTYPES[portSub ?? 0] ?? 'unknown',
        remote_port_desc: snmpText(col(LLDP_COLUMNS.remPortDesc, index)) ?? '',
        remote_sysname: snmpText(col(LLDP_COLUMNS.remSysName, index)) ?? '',
        remote_sysdesc: snmpText(col(LLDP_COLUMNS.remSysDesc, index)) ?? '',
        remote_caps: bitNames(col(LLDP_COLUMNS.remSysCapEnabled, index) ?? col(LLDP_COLUMNS.remSysCapSupported, index), CAPABILITIES),
        remote_mgmt_address: mgmt.get(`${num}.${rem}`) ?? '',
        local_port_id: local.id,
        local_port_desc: local.desc,
      },
    });
  }
  return out;
}
