import type { RawSample } from '../metrics.js';
import { snmpNumber } from '../metrics.js';
import type { ColumnValues } from '../session.js';
import { ipText, macText } from '../neighbors/encode.js';
import type { LocalPorts } from '../neighbors/local-ports.js';

/** IP-MIB (RFC 4293) ipNetToPhysicalTable and its IPv4-only predecessor ipNetToMediaTable (RFC 1213). */
const IP = '1.3.6.1.2.1.4';

/** Columns read for the ARP / neighbour cache. */
export const ARP_COLUMNS = {
  /** ipNetToPhysicalPhysAddress and Type, indexed by ifIndex.addressType.length.address. */
  physAddress: `${IP}.35.1.4`, physType: `${IP}.35.1.6`,
  /** ipNetToMediaPhysAddress and Type, indexed by ifIndex.a.b.c.d. */
  mediaAddress: `${IP}.22.1.2`, mediaType: `${IP}.22.1.4`,
} as const;

/** ipNetToMediaTable's columns: walked only when ipNetToPhysicalTable has no IPv4 entry (see {@link needsMediaTable}). */
export const ARP_MEDIA_COLUMNS = [ARP_COLUMNS.mediaAddress, ARP_COLUMNS.mediaType] as const;

/**
 * Whether the IPv4-only ipNetToMediaTable must be walked too: an agent whose ipNetToPhysicalTable holds IPv4 entries
 * lists the same cache there (walking both doubled the ARP cost, which delayed other polls on a shared agent);
 * IOS 12 lists only IPv6 in the newer table (cisco-c3560), and many agents have only the old one.
 */
export function needsMediaTable(cols: ColumnValues): boolean {
  for (const index of cols.get(ARP_COLUMNS.physAddress)?.keys() ?? []) if (index.split('.')[1] === '1') return false;
  return true;
}

/** ipNetToPhysicalType / ipNetToMediaType; invalid(2) rows are left out. */
const TYPES: Record<number, string> = { 1: 'other', 3: 'dynamic', 4: 'static', 5: 'local' };

/** ifIndex and address of an ipNetToPhysical index (ipv4(1) and ipv6(2); zoned and unknown types are skipped). */
function physicalIndex(index: string): { ifIndex: string; ip: string } | undefined {
  const [ifIndex, type, len, ...rest] = index.split('.');
  if (ifIndex === undefined || (type !== '1' && type !== '2')) return undefined;
  // Some agents leave out the length octet of the address.
  const bytes = (rest.length === Number(len) ? rest : [len!, ...rest]).map(Number);
  if (bytes.some((b) => !Number.isInteger(b) || b < 0 || b > 255) || bytes.length !== (type === '1' ? 4 : 16)) return undefined;
  const ip = ipText(bytes);
  return ip ? { ifIndex, ip } : undefined;
}

/** A MAC worth keeping: six octets, not all zero (incomplete entries carry zeros or nothing). */
function usableMac(v: Parameters<typeof macText>[0]): string | undefined {
  const mac = macText(v);
  return mac && mac !== '00:00:00:00:00:00' ? mac : undefined;
}

/**
 * One `arp` sample per IP-to-MAC entry: ipNetToPhysicalTable's rows (IPv4 and IPv6), then ipNetToMediaTable's
 * (walked only when the newer table has no IPv4 entry) for every interface and address the newer table lacks.
 */
export function parseArp(cols: ColumnValues, ports: LocalPorts): RawSample[] {
  const out: RawSample[] = [];
  const seen = new Set<string>();
  const push = (ifIndex: string, ip: string, mac: string, type: number | undefined): void => {
    const key = `${ifIndex}.${ip}`;
    if (seen.has(key) || type === 2) return;
    seen.add(key);
    out.push({
      measurement: 'arp',
      tags: { entry: key, ifIndex, ifName: ports.index(ifIndex)?.ifName || `ifIndex ${ifIndex}` },
      fields: { ip, mac, type: TYPES[type ?? 1] ?? 'other' },
    });
  };
  const physType = cols.get(ARP_COLUMNS.physType);
  for (const [index, v] of cols.get(ARP_COLUMNS.physAddress) ?? []) {
    const at = physicalIndex(index);
    const mac = usableMac(v);
    if (at && mac) push(at.ifIndex, at.ip, mac, snmpNumber(physType?.get(index)));
  }
  const mediaType = cols.get(ARP_COLUMNS.mediaType);
  for (const [index, v] of cols.get(ARP_COLUMNS.mediaAddress) ?? []) {
    const [ifIndex, ...addr] = index.split('.');
    const bytes = addr.map(Number);
    const mac = usableMac(v);
    if (!ifIndex || bytes.length !== 4 || bytes.some((b) => !Number.isInteger(b) || b < 0 || b > 255) || !mac) continue;
    push(ifIndex, bytes.join('.'), mac, snmpNumber(mediaType?.get(index)));
  }
  return out;
}
