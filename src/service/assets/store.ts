import { migrate, type Db } from '../../core/database.js';
import { assetChanges, byPosition } from './diff.js';
import type { AssetEvent, AssetEventKind, AssetRecord, DeviceSnapshot, NewAssetEvent, PartSnapshot } from './types.js';

const MIGRATIONS = [
  `CREATE TABLE asset_devices (device TEXT PRIMARY KEY, present INTEGER NOT NULL, site TEXT NOT NULL, class TEXT NOT NULL, vendor TEXT NOT NULL,
     model TEXT NOT NULL, serial TEXT NOT NULL, firmware TEXT NOT NULL, hardware TEXT NOT NULL, sys_descr TEXT NOT NULL,
     first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL, removed_at INTEGER);
   CREATE TABLE asset_parts (device TEXT NOT NULL, entity TEXT NOT NULL, part TEXT NOT NULL, name TEXT NOT NULL, descr TEXT NOT NULL, model TEXT NOT NULL,
     serial TEXT NOT NULL, firmware TEXT NOT NULL, hardware TEXT NOT NULL, manufacturer TEXT NOT NULL, PRIMARY KEY (device, entity));
   CREATE TABLE asset_events (seq INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, device TEXT NOT NULL, kind TEXT NOT NULL,
     entity TEXT, part TEXT, name TEXT, old TEXT, new TEXT);
   CREATE INDEX asset_events_at ON asset_events (at);
   CREATE INDEX asset_events_device ON asset_events (device, at);`,
];

interface DeviceRow {
  device: string; present: number; site: string; class: string; vendor: string; model: string; serial: string; firmware: string;
  hardware: string; sys_descr: string; first_seen: number; last_seen: number; removed_at: number | null;
}
interface EventRow { seq: number; at: number; device: string; kind: AssetEventKind; entity: string | null; part: string | null; name: string | null; old: string | null; new: string | null }

/** Filters of the asset event list. */
export interface AssetEventFilter {
  since?: Date;
  until?: Date;
  device?: string;
  limit?: number;
  offset?: number;
}

const opt = (v: string | null) => v ?? undefined;

/**
 * The asset register (资产统计) in the state database: each device's hardware as the last inventory poll saw
 * it, and the history of changes as asset events. Only the register writes here; the API and reports read.
 */
export class AssetStore {
  constructor(private readonly db: Db) {
    migrate(db, 'service-assets', MIGRATIONS);
  }

  /** Records a successful inventory poll; returns the events it caused (none when nothing changed). */
  observe(snap: DeviceSnapshot, at: Date): AssetEvent[] {
    return this.db.transaction(() => {
      const row = this.db.prepare('SELECT * FROM asset_devices WHERE device = ?').get(snap.device) as DeviceRow | undefined;
      // A device that was removed and comes back is added again: its old parts are history, not a baseline.
      const before = row && row.present ? this.snapshotOf(row) : undefined;
      const events = this.append(assetChanges(before, snap), at);
      const t = at.getTime();
      this.db.prepare(`INSERT INTO asset_devices (device, present, site, class, vendor, model, serial, firmware, hardware, sys_descr, first_seen, last_seen, removed_at)
        VALUES (@device, 1, @site, @class, @vendor, @model, @serial, @firmware, @hardware, @sysDescr, @t, @t, NULL)
        ON CONFLICT (device) DO UPDATE SET present = 1, site = @site, class = @class, vendor = @vendor, model = @model, serial = @serial,
          firmware = @firmware, hardware = @hardware, sys_descr = @sysDescr, last_seen = @t, removed_at = NULL,
          first_seen = CASE WHEN asset_devices.present = 0 THEN @t ELSE asset_devices.first_seen END`).run({ ...snap, t });
      this.db.prepare('DELETE FROM asset_parts WHERE device = ?').run(snap.device);
      const ins = this.db.prepare(`INSERT OR REPLACE INTO asset_parts (device, entity, part, name, descr, model, serial, firmware, hardware, manufacturer)
        VALUES (@device, @entity, @part, @name, @descr, @model, @serial, @firmware, @hardware, @manufacturer)`);
      for (const p of snap.parts) ins.run({ ...p, device: snap.device });
      return events;
    })();
  }

  /** Marks every present device not in `names` as removed from the inventory; returns the events. */
  reconcile(names: ReadonlySet<string>, at: Date): AssetEvent[] {
    return this.db.transaction(() => {
      const gone = (this.db.prepare('SELECT * FROM asset_devices WHERE present = 1').all() as DeviceRow[]).filter((r) => !names.has(r.device));
      const upd = this.db.prepare('UPDATE asset_devices SET present = 0, removed_at = ? WHERE device = ?');
      for (const r of gone) upd.run(at.getTime(), r.device);
      return this.append(gone.map((r) => ({ device: r.device, kind: 'device-removed', from: [r.model, r.serial].filter(Boolean).join(' ') || undefined })), at);
    })();
  }

  /** Every device the register knows, present or removed, by name. */
  list(): AssetRecord[] {
    const rows = this.db.prepare('SELECT * FROM asset_devices ORDER BY device').all() as DeviceRow[];
    const parts = new Map<string, PartSnapshot[]>();
    for (const p of this.db.prepare('SELECT * FROM asset_parts').all() as (PartSnapshot & { device: string })[]) {
      const { device, ...part } = p;
      const list = parts.get(device) ?? [];
      list.push(part);
      parts.set(device, list);
    }
    return rows.map((r) => ({
      ...this.snapshotOf(r, parts.get(r.device) ?? []), present: r.present === 1,
      firstSeen: new Date(r.first_seen), lastSeen: new Date(r.last_seen), removedAt: r.removed_at === null ? undefined : new Date(r.removed_at),
    }));
  }

  /** Asset events, oldest first, with the total matching the filter. */
  events(f: AssetEventFilter = {}): { total: number; items: AssetEvent[] } {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (f.since) { where.push('at >= ?'); args.push(f.since.getTime()); }
    if (f.until) { where.push('at < ?'); args.push(f.until.getTime()); }
    if (f.device) { where.push('device = ?'); args.push(f.device); }
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM asset_events ${w}`).get(...args) as { n: number }).n;
    const rows = this.db.prepare(`SELECT * FROM asset_events ${w} ORDER BY at, seq LIMIT ? OFFSET ?`).all(...args, f.limit ?? 1000, f.offset ?? 0) as EventRow[];
    return {
      total,
      items: rows.map((r) => ({
        seq: r.seq, at: new Date(r.at), device: r.device, kind: r.kind, entity: opt(r.entity), part: opt(r.part), name: opt(r.name), from: opt(r.old), to: opt(r.new),
      })),
    };
  }

  private append(events: NewAssetEvent[], at: Date): AssetEvent[] {
    const ins = this.db.prepare('INSERT INTO asset_events (at, device, kind, entity, part, name, old, new) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    return events.map((e) => {
      const r = ins.run(at.getTime(), e.device, e.kind, e.entity ?? null, e.part ?? null, e.name ?? null, e.from ?? null, e.to ?? null);
      return { ...e, seq: Number(r.lastInsertRowid), at };
    });
  }

  private snapshotOf(r: DeviceRow, parts?: PartSnapshot[]): DeviceSnapshot {
    const list = parts ?? (this.db.prepare('SELECT entity, part, name, descr, model, serial, firmware, hardware, manufacturer FROM asset_parts WHERE device = ?').all(r.device) as PartSnapshot[]);
    return {
      device: r.device, site: r.site, class: r.class, vendor: r.vendor, model: r.model, serial: r.serial, firmware: r.firmware,
      hardware: r.hardware, sysDescr: r.sys_descr, parts: byPosition(list),
    };
  }
}
