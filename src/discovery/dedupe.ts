import type { DeviceClass } from '../config/inventory-schema.js';
import type { ProbeOutcome, SnmpAnswer } from './probe.js';

/** An inventory device with what is known of it: its sysName and LLDP chassis id when it has been polled. */
export interface KnownDevice { name: string; address: string; sysName?: string; chassisId?: string }

/** A device discovery proposes to add. */
export interface ProposedDevice extends SnmpAnswer {
  /** A device name from sysName, unique in the inventory and among the proposals. */
  name: string;
  address: string;
  class: DeviceClass;
  /** How it was found: `sweep of 10.1.0.0/24`, `LLDP/CDP neighbour of core-1`. */
  foundBy: string;
  /** The site discovery.sites gives its address (the most specific prefix), when one does. */
  site?: string;
}

/** An address that answered ping and not SNMP. */
export interface IcmpOnlyCandidate { address: string; reason: string; foundBy: string }

/** An inventory device seen at another address (matched by sysName or chassis id). */
export interface MovedDevice { device: string; from: string; to: string; matchedBy: 'sysName' | 'chassisId' }

/** The outcome sorted against the inventory. */
export interface Sorted {
  proposed: ProposedDevice[];
  icmpOnly: IcmpOnlyCandidate[];
  moved: MovedDevice[];
  /** Inventory devices that answered at their own address. */
  known: string[];
}

const NAME_OK = /[^A-Za-z0-9_.:-]+/g;

/** A device name from sysName (`core-1.example.net` stays whole), else from the address; within the inventory's name rules. */
export function deviceName(sysName: string, address: string): string {
  const cleaned = sysName.replace(NAME_OK, '-').replace(/^-+|-+$/g, '').slice(0, 64);
  return cleaned || `host-${address.replace(/[.:]/g, '-')}`;
}

/**
 * Sorts probe outcomes: an address already in the inventory is known; a host whose sysName or chassis id
 * belongs to an inventory device at another address has moved; everything else is new (with SNMP) or an
 * ICMP-only candidate.
 */
export function sortAgainstInventory(outcomes: readonly ProbeOutcome[], inventory: readonly KnownDevice[], foundBy: (address: string) => string): Sorted {
  const byAddress = new Map(inventory.map((d) => [d.address.toLowerCase(), d]));
  const bySysName = new Map<string, KnownDevice>();
  for (const d of inventory) {
    bySysName.set(d.name.toLowerCase(), d);
    if (d.sysName) bySysName.set(d.sysName.toLowerCase(), d);
  }
  const byChassis = new Map(inventory.filter((d) => d.chassisId).map((d) => [d.chassisId!.toLowerCase(), d]));
  const names = new Set(inventory.map((d) => d.name.toLowerCase()));
  const out: Sorted = { proposed: [], icmpOnly: [], moved: [], known: [] };
  for (const o of outcomes) {
    const same = byAddress.get(o.address.toLowerCase());
    if (same) { out.known.push(same.name); continue; }
    if (!o.snmp) { out.icmpOnly.push({ address: o.address, reason: o.reason, foundBy: foundBy(o.address) }); continue; }
    const chassis = o.snmp.chassisId ? byChassis.get(o.snmp.chassisId.toLowerCase()) : undefined;
    const named = o.snmp.sysName ? bySysName.get(o.snmp.sysName.toLowerCase()) : undefined;
    const match = chassis ?? named;
    if (match) { out.moved.push({ device: match.name, from: match.address, to: o.address, matchedBy: chassis ? 'chassisId' : 'sysName' }); continue; }
    let name = deviceName(o.snmp.sysName, o.address);
    for (let k = 2; names.has(name.toLowerCase()); k++) name = `${deviceName(o.snmp.sysName, o.address)}-${k}`;
    names.add(name.toLowerCase());
    out.proposed.push({ ...o.snmp, name, address: o.address, foundBy: foundBy(o.address) });
  }
  return out;
}
