import { isUtf8 } from 'node:buffer';
import { decodeDeviceBytes, deviceText } from '../../core/device-text.js';

/** A notification after decoding, whatever SNMP version carried it. */
export interface DecodedTrap {
  kind: 'v1-trap' | 'trap' | 'inform';
  /** snmpTrapOID.0, or the RFC 3584 translation of a v1 trap. */
  trapOid: string;
  /** The originating agent for relayed traps: snmpTrapAddress.0 (v2c/v3) or the v1 agent-addr. */
  agentAddress?: string;
  uptimeTicks?: number;
  /** Varbinds other than sysUpTime.0 and snmpTrapOID.0, values as text. */
  varbinds: { oid: string; value: string }[];
  /** Community (v1/v2c) or USM user name (v3). */
  principal?: string;
}

const SYS_UPTIME_0 = '1.3.6.1.2.1.1.3.0';
const SNMP_TRAP_OID_0 = '1.3.6.1.6.3.1.1.4.1.0';
const SNMP_TRAP_ADDRESS_0 = '1.3.6.1.6.3.18.1.3.0';
const SNMP_TRAP_ENTERPRISE_0 = '1.3.6.1.6.3.1.1.4.3.0';
const GENERIC_TRAPS = '1.3.6.1.6.3.1.1.5';
/** Bytes of one OctetString value looked at: device text is cut to 255 bytes anyway (docs/SCHEMA.md). */
const MAX_VALUE_BYTES = 1024;
const PDU_TRAP_V1 = 164;
const PDU_INFORM = 166;

/** RFC 3584 section 3.1: a v1 trap's generic/specific numbers become a v2 snmpTrapOID. */
export function v1TrapOid(enterprise: string, generic: number, specific: number): string {
  if (generic >= 0 && generic <= 5) return `${GENERIC_TRAPS}.${generic + 1}`;
  return `${enterprise}.0.${specific}`;
}

/** Text for one varbind value: printable OctetStrings as text, other bytes as hex, numbers and OIDs as written. */
export function valueText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Buffer.isBuffer(value)) return bytesText(value);
  if (typeof value === 'object' && (value as { type?: unknown }).type === 'Buffer' && Array.isArray((value as { data?: unknown }).data)) {
    return bytesText(Buffer.from((value as { data: number[] }).data));
  }
  if (typeof value === 'bigint' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  return deviceText(String(value));
}

function bytesText(b: Buffer): string {
  const cut = b.subarray(0, MAX_VALUE_BYTES);
  let printable = true;
  for (const byte of cut) if ((byte < 32 && byte !== 9 && byte !== 10 && byte !== 13) || byte === 127) { printable = false; break; }
  // Six bytes that are not UTF-8 are a MAC address far more often than three Chinese characters.
  if (printable && (cut.length !== 6 || isUtf8(cut))) {
    const { text, invalid } = decodeDeviceBytes(cut);
    if (!invalid) return deviceText(text);
  }
  // MAC addresses, binary states: hex is what people compare with the device's CLI.
  return deviceText([...cut.subarray(0, 85)].map((x) => x.toString(16).padStart(2, '0')).join(':'));
}

interface RawVarbind { oid?: unknown; value?: unknown }
interface RawPdu {
  type?: unknown; varbinds?: unknown; enterprise?: unknown; agentAddr?: unknown; generic?: unknown; specific?: unknown;
  upTime?: unknown; community?: unknown; user?: unknown;
}

/** Decodes net-snmp's receiver callback data (`{ pdu, rinfo }`), also when read back from JSON. */
export function decodeNotification(pdu: RawPdu): DecodedTrap {
  const raw = Array.isArray(pdu.varbinds) ? (pdu.varbinds as RawVarbind[]) : [];
  const varbinds: DecodedTrap['varbinds'] = [];
  let trapOid: string | undefined;
  let agentAddress: string | undefined;
  let uptimeTicks: number | undefined;
  for (const vb of raw) {
    const oid = String(vb.oid ?? '').replace(/^\./, '');
    if (oid === SNMP_TRAP_OID_0) { trapOid = valueText(vb.value).replace(/^\./, ''); continue; }
    if (oid === SYS_UPTIME_0) { uptimeTicks = Number(vb.value); continue; }
    if (oid === SNMP_TRAP_ADDRESS_0) agentAddress = valueText(vb.value);
    if (oid === SNMP_TRAP_ENTERPRISE_0) continue;
    varbinds.push({ oid, value: valueText(vb.value) });
  }
  const principal = typeof pdu.community === 'string' ? pdu.community : typeof pdu.user === 'string' ? pdu.user : undefined;
  if (pdu.type === PDU_TRAP_V1 || pdu.enterprise !== undefined) {
    const enterprise = String(pdu.enterprise ?? '').replace(/^\./, '');
    return {
      kind: 'v1-trap', trapOid: v1TrapOid(enterprise, Number(pdu.generic), Number(pdu.specific)),
      agentAddress: typeof pdu.agentAddr === 'string' && pdu.agentAddr !== '0.0.0.0' ? pdu.agentAddr : agentAddress,
      uptimeTicks: typeof pdu.upTime === 'number' ? pdu.upTime : uptimeTicks, varbinds, principal,
    };
  }
  return { kind: pdu.type === PDU_INFORM ? 'inform' : 'trap', trapOid: trapOid ?? '', agentAddress, uptimeTicks, varbinds, principal };
}

/**
 * A captured trap for `noctua events test`: net-snmp's callback JSON (`{ "pdu": ..., "rinfo": ... }`)
 * or the short form `{ "from": "10.0.0.1", "trapOid": "1.3.6...", "varbinds": [{ "oid": "...", "value": ... }] }`.
 */
export function decodeCapturedTrap(json: unknown): { trap: DecodedTrap; from: string } {
  if (typeof json !== 'object' || json === null) throw new Error('expected a JSON object with "pdu" (net-snmp form) or "trapOid" (short form)');
  const o = json as Record<string, unknown>;
  if (typeof o.pdu === 'object' && o.pdu !== null) {
    const rinfo = (o.rinfo ?? {}) as { address?: unknown };
    return { trap: decodeNotification(o.pdu as RawPdu), from: typeof rinfo.address === 'string' ? rinfo.address : '0.0.0.0' };
  }
  if (typeof o.trapOid !== 'string') throw new Error('expected "trapOid" (a numeric OID string) or "pdu"');
  const vbs = Array.isArray(o.varbinds) ? (o.varbinds as RawVarbind[]) : [];
  const trap = decodeNotification({ varbinds: [{ oid: SNMP_TRAP_OID_0, value: o.trapOid }, ...vbs] });
  return { trap, from: typeof o.from === 'string' ? o.from : '0.0.0.0' };
}
