import { ipv4ToNumber } from '../config/sections/discovery.js';
import { CDP_COLUMNS } from '../pollers/snmp/neighbors/cdp.js';
import { parseNeighbors } from '../pollers/snmp/neighbors/index.js';
import { LLDP_COLUMNS } from '../pollers/snmp/neighbors/lldp.js';
import type { SnmpSession } from '../pollers/snmp/session.js';

/** A management address an LLDP/CDP neighbour announced to a device discovery found. */
export interface AnnouncedNeighbour { address: string; sysName: string }

/**
 * The few columns that carry a neighbour's identity and management address (LLDP-MIB lldpRemTable and
 * lldpRemManAddrTable, CISCO-CDP-MIB cdpCacheTable): less to walk than the poller's full neighbour read.
 */
export const NEIGHBOUR_ADDRESS_COLUMNS = [
  LLDP_COLUMNS.remChassisId, LLDP_COLUMNS.remSysName, LLDP_COLUMNS.remManAddrIfSubtype,
  CDP_COLUMNS.deviceId, CDP_COLUMNS.addressType, CDP_COLUMNS.address,
] as const;

/** Most neighbour addresses taken from one device: a core switch's table is not a reason to sweep the world. */
export const MAX_NEIGHBOURS_PER_DEVICE = 256;

/**
 * The IPv4 management addresses a device's LLDP and CDP neighbours announce, parsed by the poller's own neighbour
 * parsers (src/pollers/snmp/neighbors), each address once. A device without those tables announces none.
 */
export async function announcedNeighbours(session: SnmpSession, signal: AbortSignal): Promise<AnnouncedNeighbour[]> {
  const cols = await session.walk(NEIGHBOUR_ADDRESS_COLUMNS, signal);
  const out = new Map<string, AnnouncedNeighbour>();
  for (const s of parseNeighbors(['lldp', 'cdp'], cols)) {
    const address = typeof s.fields.remote_mgmt_address === 'string' ? s.fields.remote_mgmt_address : '';
    if (ipv4ToNumber(address) === undefined || out.has(address)) continue;
    out.set(address, { address, sysName: typeof s.fields.remote_sysname === 'string' ? s.fields.remote_sysname : '' });
    if (out.size >= MAX_NEIGHBOURS_PER_DEVICE) break;
  }
  return [...out.values()];
}
