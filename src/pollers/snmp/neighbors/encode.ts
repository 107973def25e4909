import { snmpText } from '../metrics.js';
import type { SnmpValue } from '../session.js';

/**
 * Decoding of the binary identifiers LLDP and CDP carry (MAC addresses, IANA-family network addresses).
 * Everything else goes through snmpText: bounded device text, never trusted.
 */

/** aa:bb:cc:dd:ee:ff from six bytes; undefined when the value is not exactly six bytes. */
export function macText(v: SnmpValue | undefined): string | undefined {
  if (!Buffer.isBuffer(v) || v.length !== 6) return undefined;
  return [...v].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/** Dotted IPv4 or compressed-free IPv6 text from 4 or 16 raw bytes. */
export function ipText(bytes: readonly number[]): string | undefined {
  if (bytes.length === 4) return bytes.join('.');
  if (bytes.length === 16) {
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
    return groups.join(':');
  }
  return undefined;
}

/** An LLDP networkAddress (one IANA address-family octet, then the address); falls back to text. */
export function networkAddressText(v: SnmpValue | undefined): string | undefined {
  if (Buffer.isBuffer(v) && v.length >= 5 && (v[0] === 1 || v[0] === 2)) return ipText([...v.subarray(1)]) ?? snmpText(v);
  return snmpText(v);
}

/** Names of the set bits of a BITS value (first octet's high bit = bit 0), for capability lists. */
export function bitNames(v: SnmpValue | undefined, names: readonly string[]): string {
  if (!Buffer.isBuffer(v)) return '';
  const out: string[] = [];
  names.forEach((name, bit) => {
    const byte = v[bit >> 3];
    if (byte !== undefined && (byte & (0x80 >> (bit & 7))) !== 0) out.push(name);
  });
  return out.join(',');
}
