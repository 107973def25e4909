import type { AssetEvent } from '../../service/assets/types.js';
import type { ReportPeriod } from '../period.js';
import type { AssetSource } from '../sources/assets.js';

/** Days ahead a warranty end is listed (the service plans ask for 90). */
export const WARRANTY_HORIZON_DAYS = 90;
const DAY_MS = 86_400_000;

/** The asset section of the monthly report: what is installed, what changed, what runs out. */
export interface AssetSummary {
  /** Devices in the inventory (polled or not). */
  devices: number;
  byClass: { key: string; count: number }[];
  byVendor: { key: string; count: number }[];
  byModel: { vendor: string; model: string; count: number }[];
  /** Firmware versions in use, per vendor and model, with the devices running each. */
  firmware: { vendor: string; model: string; firmware: string; devices: string[] }[];
  /** Asset events of the period, oldest first, and how many there were in all. */
  changes: AssetEvent[];
  changesTotal: number;
  /** Warranties that end within {@link WARRANTY_HORIZON_DAYS} days of the period's end, or ended during it; soonest first. */
  warranties: { device: string; site: string; warrantyEnd: string; daysLeft: number; contract?: string }[];
}

function counts(keys: string[]): { key: string; count: number }[] {
  const m = new Map<string, number>();
  for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
  return [...m].map(([key, count]) => ({ key, count })).sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
}

/** Builds the asset section from the register; `unknown` stands for a vendor or model not read yet. */
export async function assetSummary(source: AssetSource, period: Pick<ReportPeriod, 'start' | 'end'>): Promise<AssetSummary> {
  const all = await source.assets();
  const inv = all.filter((a) => a.inInventory);
  const vendor = (v: string) => v || 'unknown';
  const model = (m: string) => m || 'unknown';
  const byModel = new Map<string, { vendor: string; model: string; count: number }>();
  const fw = new Map<string, { vendor: string; model: string; firmware: string; devices: string[] }>();
  for (const a of inv) {
    const mk = `${vendor(a.vendor)}\u0000${model(a.model)}`;
    const m = byModel.get(mk) ?? { vendor: vendor(a.vendor), model: model(a.model), count: 0 };
    m.count++;
    byModel.set(mk, m);
    if (!a.firmware) continue;
    const fk = `${mk}\u0000${a.firmware}`;
    const f = fw.get(fk) ?? { vendor: vendor(a.vendor), model: model(a.model), firmware: a.firmware, devices: [] };
    f.devices.push(a.device);
    fw.set(fk, f);
  }
  const ev = await source.events({ start: period.start, end: period.end });
  const endDay = period.end.getTime();
  const warranties = inv.flatMap((a) => {
    const w = a.asset.warrantyEnd;
    if (!w) return [];
    // The warranty covers its last day: it ends at the end of that day (UTC, as the date carries no zone).
    const ends = Date.parse(`${w}T00:00:00Z`) + DAY_MS;
    if (ends < period.start.getTime() || ends > endDay + WARRANTY_HORIZON_DAYS * DAY_MS) return [];
    return [{ device: a.device, site: a.site, warrantyEnd: w, daysLeft: Math.floor((ends - endDay) / DAY_MS), contract: a.asset.contract }];
  }).sort((a, b) => a.warrantyEnd.localeCompare(b.warrantyEnd) || a.device.localeCompare(b.device));
  return {
    devices: inv.length,
    byClass: counts(inv.map((a) => a.class)),
    byVendor: counts(inv.map((a) => vendor(a.vendor))),
    byModel: [...byModel.values()].sort((a, b) => b.count - a.count || a.vendor.localeCompare(b.vendor) || a.model.localeCompare(b.model)),
    firmware: [...fw.values()].sort((a, b) => a.vendor.localeCompare(b.vendor) || a.model.localeCompare(b.model) || a.firmware.localeCompare(b.firmware)),
    changes: ev.items, changesTotal: ev.total, warranties,
  };
}
