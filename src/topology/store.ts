import { migrate, type Db, prepared } from '../core/database.js';
import type { TopoLink } from './graph.js';

/** The topology tables of the state database: every link ever seen, with first/last seen and misses. */
const STEPS = [
  `CREATE TABLE topology_links (
     id TEXT PRIMARY KEY, a_device TEXT NOT NULL, a_port TEXT NOT NULL, b_device TEXT NOT NULL, b_port TEXT NOT NULL,
     protocol TEXT NOT NULL, matched_by TEXT NOT NULL, first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL,
     missed INTEGER NOT NULL DEFAULT 0, lost INTEGER NOT NULL DEFAULT 0, reporters TEXT NOT NULL DEFAULT '');
   CREATE INDEX topology_links_a ON topology_links (a_device);
   CREATE INDEX topology_links_b ON topology_links (b_device);`,
];

/** A stored link (who reports it is not stored: that is the moment's graph). */
export interface StoredLink extends Omit<TopoLink, 'reportedBy'> {
  firstSeen: Date;
  lastSeen: Date;
  /** Inventory cycles of an endpoint in a row that did not report the link. */
  missed: number;
  /** Missed for `lostAfter` cycles; reported as `link-lost` once. */
  lost: boolean;
}

interface Row {
  id: string; a_device: string; a_port: string; b_device: string; b_port: string; protocol: string; matched_by: string;
  first_seen: number; last_seen: number; missed: number; lost: number; reporters: string;
}

function fromRow(r: Row): StoredLink {
  return {
    id: r.id, a: { device: r.a_device, port: r.a_port }, b: { device: r.b_device, port: r.b_port }, protocol: r.protocol,
    matchedBy: r.matched_by as StoredLink['matchedBy'], firstSeen: new Date(r.first_seen), lastSeen: new Date(r.last_seen),
    missed: r.missed, lost: r.lost !== 0,
  };
}

/** Links in the state database: upserted when seen, counted down when an endpoint's inventory cycle misses them. */
export class TopologyStore {
  constructor(private readonly db: Db) {
    migrate(db, 'topology', STEPS);
  }

  /** Every stored link, lost ones included. */
  all(): StoredLink[] {
    return (prepared(this.db, 'SELECT * FROM topology_links ORDER BY id').all() as Row[]).map(fromRow);
  }

  /**
   * Records one inventory cycle of `device`: the links its own rows show are seen at `at`; stored links with
   * `device` as an endpoint that its rows no longer show count one miss (another end's report does not keep a link
   * alive: that end may be the one that is unreachable, its rows stale). Returns the links that became lost just
   * now, and the lost ones this cycle shows again (restored).
   */
  cycle(device: string, current: readonly TopoLink[], at: Date, lostAfter: number): { lost: StoredLink[]; restored: StoredLink[] } {
    const now = at.getTime();
    const own = current.filter((l) => l.reportedBy.includes(device));
    const seen = new Set(own.map((l) => l.id));
    const wasLost = prepared(this.db, 'SELECT * FROM topology_links WHERE id = ? AND lost = 1');
    const restored: StoredLink[] = [];
    const upsert = prepared(this.db, `INSERT INTO topology_links (id, a_device, a_port, b_device, b_port, protocol, matched_by, first_seen, last_seen)
      VALUES (@id, @a_device, @a_port, @b_device, @b_port, @protocol, @matched_by, @now, @now)
      ON CONFLICT (id) DO UPDATE SET last_seen = @now, missed = 0, lost = 0, protocol = @protocol, matched_by = @matched_by`);
    // Which ends have ever reported the link: only their cycles can miss it (an end without LLDP never reports it).
    const reporter = prepared(this.db, `UPDATE topology_links SET reporters = reporters || @tag WHERE id = @id AND instr(reporters, @tag) = 0`);
    const lost: StoredLink[] = [];
    this.db.transaction(() => {
      for (const l of own) {
        const before = wasLost.get(l.id) as Row | undefined;
        if (before) restored.push(fromRow({ ...before, last_seen: now, missed: 0, lost: 0 }));
        upsert.run({ id: l.id, a_device: l.a.device, a_port: l.a.port, b_device: l.b.device, b_port: l.b.port, protocol: l.protocol, matched_by: l.matchedBy, now });
        reporter.run({ id: l.id, tag: `<${device}>` });
      }
      const mine = prepared(this.db, 'SELECT * FROM topology_links WHERE (a_device = ? OR b_device = ?) AND lost = 0').all(device, device) as Row[];
      for (const r of mine) {
        if (seen.has(r.id) || !r.reporters.includes(`<${device}>`)) continue;
        const missed = r.missed + 1;
        const isLost = missed >= lostAfter;
        prepared(this.db, 'UPDATE topology_links SET missed = ?, lost = ? WHERE id = ?').run(missed, isLost ? 1 : 0, r.id);
        if (isLost) lost.push(fromRow({ ...r, missed, lost: 1 }));
      }
    })();
    return { lost, restored };
  }

  /** Drops links of devices that left the inventory. */
  forget(device: string): void {
    prepared(this.db, 'DELETE FROM topology_links WHERE a_device = ? OR b_device = ?').run(device, device);
  }
}
