import type { SnmpSettings } from '../../src/config/inventory-schema.js';
import type { SnmpSession } from '../../src/pollers/snmp/index.js';
import { openSession } from '../../src/pollers/snmp/session.js';

/** What Noctua asked one device for in one poll: scalar GETs and walked column subtrees. */
export interface AskedOids { gets: Set<string>; walks: Set<string> }

/**
 * Opens real net-snmp sessions (Noctua's own) and notes which OIDs each device's polls asked for, so the
 * Net-SNMP peer can walk the same subtrees. Recording costs a Set insert per request, not per varbind.
 */
export function recordingSessions(): { open: (address: string, settings: SnmpSettings) => SnmpSession; asked: Map<string, AskedOids>; reset(): void } {
  const asked = new Map<string, AskedOids>();
  const key = (address: string, s: SnmpSettings) => `${address}:${s.port}/${s.community}`;
  return {
    asked,
    reset: () => asked.clear(),
    open(address, settings) {
      const inner = openSession(address, settings);
      const k = key(address, settings);
      const mine = () => { let a = asked.get(k); if (!a) { a = { gets: new Set(), walks: new Set() }; asked.set(k, a); } return a; };
      return {
        get(oids, signal) { for (const o of oids) mine().gets.add(o); return inner.get(oids, signal); },
        walk(columns, signal) { for (const c of columns) mine().walks.add(c); return inner.walk(columns, signal); },
        firstUnder(oids, signal) { for (const o of oids) mine().walks.add(o); return inner.firstUnder(oids, signal); },
        get varbinds() { return inner.varbinds; },
        engine: () => inner.engine(),
        close: () => inner.close(),
      };
    },
  };
}

/** The device key recordingSessions() files a device's requests under. */
export function askedKey(address: string, port: number, community: string): string {
  return `${address}:${port}/${community}`;
}

/** The tables (column OID without its last arc) that cover a set of walked columns: one snmpbulkwalk each. */
export function tablesOf(columns: Iterable<string>): string[] {
  const tables = new Set<string>();
  for (const c of columns) tables.add(c.replace(/^\./, '').split('.').slice(0, -1).join('.'));
  // A table under another one's subtree is already walked with it.
  const sorted = [...tables].sort();
  return sorted.filter((t) => !sorted.some((o) => o !== t && t.startsWith(`${o}.`)));
}
