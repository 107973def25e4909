import type { RawSample } from '../metrics.js';
import { snmpNumber, snmpText } from '../metrics.js';
import type { ColumnValues, SnmpValue } from '../session.js';
import { ipText } from './encode.js';
import type { LocalPorts } from './local-ports.js';

/** CISCO-CDP-MIB cdpCacheTable (1.3.6.1.4.1.9.9.23.1.2.1.1), indexed by cdpCacheIfIndex.cdpCacheDeviceIndex. */
const CACHE = '1.3.6.1.4.1.9.9.23.1.2.1.1';

/** Columns read from cdpCacheTable. */
export const CDP_COLUMNS = {
  addressType: `${CACHE}.3`, address: `${CACHE}.4`, version: `${CACHE}.5`, deviceId: `${CACHE}.6`,
  devicePort: `${CACHE}.7`, platform: `${CACHE}.8`, capabilities: `${CACHE}.9`,
} as const;

/** CDP capability bits (cdpCacheCapabilities, a 4-octet big-endian mask, low bit first). */
const CAPABILITIES: readonly [number, string][] = [
  [0x01, 'router'], [0x02, 'trans-bridge'], [0x04, 'source-route-bridge'], [0x08, 'switch'], [0x10, 'host'],
  [0x20, 'igmp'], [0x40, 'repeater'], [0x80, 'phone'], [0x100, 'remote'], [0x200, 'cvta'], [0x400, 'mac-relay'],
];

function capabilities(v: SnmpValue | undefined): string {
  if (!Buffer.isBuffer(v) || v.length === 0 || v.length > 4) return '';
  const mask = v.reduce((acc, b) => acc * 256 + b, 0);
  return CAPABILITIES.filter(([bit]) => (mask & bit) !== 0).map(([, name]) => name).join(',');
}

/** cdpCacheAddress by cdpCacheAddressType: ip(1) and ipv6(20) decoded, anything else left out. */
function address(type: number | undefined, v: SnmpValue | undefined): string {
  if (!Buffer.isBuffer(v) || (type !== 1 && type !== 20)) return '';
  return ipText([...v]) ?? '';
}

/** One `neighbor` sample per cdpCacheTable row (protocol cdp); CDP's device id stands for chassis id and sysName. */
export function parseCdp(cols: ColumnValues, ports: LocalPorts): RawSample[] {
  const col = (c: string, i: string) => cols.get(c)?.get(i);
  const out: RawSample[] = [];
  for (const index of cols.get(CDP_COLUMNS.deviceId)?.keys() ?? []) {
    const parts = index.split('.');
    if (parts.length !== 2) continue;
    const [ifIndex] = parts as [string, string];
    const deviceId = snmpText(col(CDP_COLUMNS.deviceId, index)) ?? '';
    out.push({
      measurement: 'neighbor',
      tags: { protocol: 'cdp', ifName: ports.index(ifIndex)?.ifName || `ifIndex ${ifIndex}`, ifIndex, neighbor: index },
      fields: {
        remote_chassis_id: deviceId,
        remote_chassis_id_subtype: 'cdp-device-id',
        remote_port_id: snmpText(col(CDP_COLUMNS.devicePort, index)) ?? '',
        remote_port_id_subtype: 'interface-name',
        remote_port_desc: '',
        remote_sysname: deviceId,
        remote_sysdesc: snmpText(col(CDP_COLUMNS.version, index)) ?? '',
        remote_caps: capabilities(col(CDP_COLUMNS.capabilities, index)),
        remote_mgmt_address: address(snmpNumber(col(CDP_COLUMNS.addressType, index)), col(CDP_COLUMNS.address, index)),
        remote_platform: snmpText(col(CDP_COLUMNS.platform, index)) ?? '',
      },
    });
  }
  return out;
}
