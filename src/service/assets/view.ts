import type { AssetFields } from '../../config/asset-schema.js';
import type { Device } from '../../config/inventory-schema.js';
import type { AssetStore } from './store.js';
import type { PartSnapshot } from './types.js';

/** One device of the asset register as the API, the export and the report show it. */
export interface AssetView {
  device: string;
  site: string;
  class: string;
  vendor: string;
  model: string;
  serial: string;
  firmware: string;
  hardware: string;
  /** In the inventory in force now. */
  inInventory: boolean;
  /** Seen by at least one successful inventory poll. */
  polled: boolean;
  firstSeen?: Date;
  lastSeen?: Date;
  removedAt?: Date;
  parts: PartSnapshot[];
  /** Operator-kept fields from devices.yaml (`asset:`). */
  asset: AssetFields;
}

/**
 * The register joined with the inventory: every device in the inventory (also one never polled yet, with
 * empty hardware) and every device the register still remembers after it left the inventory.
 */
export function assetViews(store: Pick<AssetStore, 'list'>, inventory: readonly Device[]): AssetView[] {
  const byName = new Map(store.list().map((r) => [r.device, r]));
  const out: AssetView[] = inventory.map((d) => {
    const r = byName.get(d.name);
    byName.delete(d.name);
    return {
      device: d.name, site: d.site, class: d.class, vendor: r?.vendor ?? '', model: r?.model ?? '', serial: r?.serial ?? '',
      firmware: r?.firmware ?? '', hardware: r?.hardware ?? '', inInventory: true, polled: r !== undefined,
      firstSeen: r?.firstSeen, lastSeen: r?.lastSeen, removedAt: r?.present ? undefined : r?.removedAt, parts: r?.parts ?? [], asset: d.asset ?? {},
    };
  });
  for (const r of byName.values()) {
    out.push({
      device: r.device, site: r.site, class: r.class, vendor: r.vendor, model: r.model, serial: r.serial, firmware: r.firmware, hardware: r.hardware,
      inInventory: false, polled: true, firstSeen: r.firstSeen, lastSeen: r.lastSeen, removedAt: r.removedAt, parts: r.parts, asset: {},
    });
  }
  return out.sort((a, b) => a.device.localeCompare(b.device));
}
