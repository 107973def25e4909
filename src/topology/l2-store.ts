import { migrate, type Db, prepared } from '../core/database.js';
import type { ArpRow, FdbRow, L2Rows, VlanRow } from './l2-rows.js';

/**
 * The layer-2 tables of the state database: each device's FDB and ARP rows with first/last seen (kept `keepForMs`
 * after they leave the device's tables, so locate can say where a host that is switched off was last seen), and
 * its VLANs (the latest list only).
 */
const STEPS = [
  `CREATE TABLE l2_fdb (
     device TEXT NOT NULL, mac TEXT NOT NULL, vlan INTEGER NOT NULL, if_name TEXT NOT NULL, if_index TEXT NOT NULL,
     status TEXT NOT NULL, first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL, port_since INTEGER NOT NULL,
     PRIMARY KEY (device, mac, vlan));
   CREATE INDEX l2_fdb_mac ON l2_fdb (mac);
   CREATE TABLE l2_arp (
     device TEXT NOT NULL, if_index TEXT NOT NULL, ip TEXT NOT NULL, mac TEXT NOT NULL, if_name TEXT NOT NULL, type TEXT NOT NULL,
     first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL, PRIMARY KEY (device, if_index, ip));
   CREATE INDEX l2_arp_mac ON l2_arp (mac);
   CREATE INDEX l2_arp_ip ON l2_arp (ip);
   CREATE TABLE l2_vlan (device TEXT NOT NULL, vlan INTEGER NOT NULL, name TEXT NOT NULL, status TEXT NOT NULL, PRIMARY KEY (device, vlan));
   CREATE TABLE l2_cycles (device TEXT PRIMARY KEY, at INTEGER NOT NULL);`,
];

/** A MAC that a device now learns on another port than the one it was last seen on. */
export interface MacMove { device: string; mac: string; vlan: number; from: string; to: string; lastSeenFrom: Date }

/** A stored FDB row with its times; `current` when the device's latest cycle reported it. */
export interface StoredFdb extends FdbRow { device: string; firstSeen: Date; lastSeen: Date; portSince: Date; current: boolean }
/** A stored ARP row with its times. */
export interface StoredArp extends ArpRow { device: string; firstSeen: Date; lastSeen: Date; current: boolean }

interface FdbDbRow { device: string; mac: string; vlan: number; if_name: string; if_index: string; status: string; first_seen: number; last_seen: number; port_since: number; cycle: number | null }
interface ArpDbRow { device: string; if_index: string; ip: string; mac: string; if_name: string; type: string; first_seen: number; last_seen: number; cycle: number | null }

const fdbOf = (r: FdbDbRow): StoredFdb => ({
  device: r.device, mac: r.mac, vlan: r.vlan, ifName: r.if_name, ifIndex: r.if_index, status: r.status,
  firstSeen: new Date(r.first_seen), lastSeen: new Date(r.last_seen), portSince: new Date(r.port_since), current: r.cycle === r.last_seen,
});
const arpOf = (r: ArpDbRow): StoredArp => ({
  device: r.device, ip: r.ip, mac: r.mac, ifName: r.if_name, ifIndex: r.if_index, type: r.type,
  firstSeen: new Date(r.first_seen), lastSeen: new Date(r.last_seen), current: r.cycle === r.last_seen,
});

/** How long rows are kept and how many, per device. */
export interface L2Retention { keepForMs: number; maxRowsPerDevice: number }

/** FDB, ARP and VLAN rows per device in SQLite. */
export class L2Store {
  constructor(private readonly db: Db) {
    migrate(db, 'topology-l2', STEPS);
  }

  /**
   * Records one inventory cycle of `device`: upserts its rows (seen at `at`), replaces its VLANs, drops rows older
   * than the retention, and returns the MACs that moved port (only `learned` rows count: the switch's own MACs
   * and management entries are not hosts).
   */
  cycle(device: string, rows: L2Rows, at: Date, keep: L2Retention): MacMove[] {
    const now = at.getTime();
    const moves: MacMove[] = [];
    const before = prepared(this.db, 'SELECT if_name, last_seen, status FROM l2_fdb WHERE device = ? AND mac = ? AND vlan = ?');
    const upFdb = prepared(this.db, `INSERT INTO l2_fdb (device, mac, vlan, if_name, if_index, status, first_seen, last_seen, port_since)
      VALUES (@device, @mac, @vlan, @ifName, @ifIndex, @status, @now, @now, @now)
      ON CONFLICT (device, mac, vlan) DO UPDATE SET last_seen = @now, status = @status, if_index = @ifIndex,
        port_since = CASE WHEN if_name = @ifName THEN port_since ELSE @now END, if_name = @ifName`);
    const upArp = prepared(this.db, `INSERT INTO l2_arp (device, if_index, ip, mac, if_name, type, first_seen, last_seen)
      VALUES (@device, @ifIndex, @ip, @mac, @ifName, @type, @now, @now)
      ON CONFLICT (device, if_index, ip) DO UPDATE SET last_seen = @now, if_name = @ifName, type = @type,
        first_seen = CASE WHEN mac = @mac THEN first_seen ELSE @now END, mac = @mac`);
    this.db.transaction(() => {
      const once = new Set<string>();
      for (const r of rows.fdb) {
        // A MAC in two filtering databases that map to one VLAN is one row (the first), not a move within the cycle.
        if (once.has(`${r.mac}|${r.vlan}`)) continue;
        once.add(`${r.mac}|${r.vlan}`);
        const had = before.get(device, r.mac, r.vlan) as { if_name: string; last_seen: number; status: string } | undefined;
        if (had && had.if_name !== r.ifName && r.status === 'learned' && had.status === 'learned') {
          moves.push({ device, mac: r.mac, vlan: r.vlan, from: had.if_name, to: r.ifName, lastSeenFrom: new Date(had.last_seen) });
        }
        upFdb.run({ device, ...r, now });
      }
      for (const r of rows.arp) upArp.run({ device, ...r, now });
      prepared(this.db, 'DELETE FROM l2_vlan WHERE device = ?').run(device);
      const vlan = prepared(this.db, 'INSERT OR REPLACE INTO l2_vlan (device, vlan, name, status) VALUES (?, ?, ?, ?)');
      for (const v of rows.vlan) vlan.run(device, v.vlan, v.name, v.status);
      prepared(this.db, 'INSERT INTO l2_cycles (device, at) VALUES (?, ?) ON CONFLICT (device) DO UPDATE SET at = excluded.at').run(device, now);
      for (const table of ['l2_fdb', 'l2_arp']) {
        prepared(this.db, `DELETE FROM ${table} WHERE device = ? AND last_seen < ?`).run(device, now - keep.keepForMs);
        // Churn within the retention is bounded too: the oldest rows no longer reported go first.
        const n = (prepared(this.db, `SELECT count(*) AS n FROM ${table} WHERE device = ?`).get(device) as { n: number }).n;
        if (n > keep.maxRowsPerDevice) {
          prepared(this.db, `DELETE FROM ${table} WHERE rowid IN (SELECT rowid FROM ${table} WHERE device = ? AND last_seen < ? ORDER BY last_seen LIMIT ?)`)
            .run(device, now, n - keep.maxRowsPerDevice);
        }
      }
    })();
    return moves;
  }

  /** FDB rows of a MAC on every device, with whether each device's latest cycle reported it. */
  fdbOfMac(mac: string): StoredFdb[] {
    return (prepared(this.db, `SELECT f.*, c.at AS cycle FROM l2_fdb f LEFT JOIN l2_cycles c ON c.device = f.device WHERE f.mac = ? ORDER BY f.device, f.vlan`).all(mac) as FdbDbRow[]).map(fdbOf);
  }

  /** How many MACs the device's latest cycle learned on each port (uplinks carry many). */
  macsOnPort(device: string, ifName: string): number {
    return (prepared(this.db, `SELECT count(*) AS n FROM l2_fdb f JOIN l2_cycles c ON c.device = f.device AND c.at = f.last_seen WHERE f.device = ? AND f.if_name = ?`).get(device, ifName) as { n: number }).n;
  }

  /** ARP rows with this IP address, newest first. */
  arpOfIp(ip: string): StoredArp[] {
    return (prepared(this.db, `SELECT a.*, c.at AS cycle FROM l2_arp a LEFT JOIN l2_cycles c ON c.device = a.device WHERE a.ip = ? ORDER BY a.last_seen DESC, a.device`).all(ip) as ArpDbRow[]).map(arpOf);
  }

  /** ARP rows with this MAC, newest first. */
  arpOfMac(mac: string): StoredArp[] {
    return (prepared(this.db, `SELECT a.*, c.at AS cycle FROM l2_arp a LEFT JOIN l2_cycles c ON c.device = a.device WHERE a.mac = ? ORDER BY a.last_seen DESC, a.device, a.ip`).all(mac) as ArpDbRow[]).map(arpOf);
  }

  /** The VLANs a device reported last. */
  vlans(device: string): VlanRow[] {
    return prepared(this.db, 'SELECT vlan, name, status FROM l2_vlan WHERE device = ? ORDER BY vlan').all(device) as VlanRow[];
  }

  /** Row counts of a device (tests, the API). */
  counts(device: string): { fdb: number; arp: number; vlan: number } {
    const n = (t: string) => (prepared(this.db, `SELECT count(*) AS n FROM ${t} WHERE device = ?`).get(device) as { n: number }).n;
    return { fdb: n('l2_fdb'), arp: n('l2_arp'), vlan: n('l2_vlan') };
  }

  /** Drops the rows of a device that left the inventory. */
  forget(device: string): void {
    for (const t of ['l2_fdb', 'l2_arp', 'l2_vlan', 'l2_cycles']) prepared(this.db, `DELETE FROM ${t} WHERE device = ?`).run(device);
  }
}
