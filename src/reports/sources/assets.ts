import type { Device } from '../../config/inventory-schema.js';
import type { Db } from '../../core/database.js';
import { assetService } from '../../service/assets/service.js';
import type { AssetEvent } from '../../service/assets/types.js';
import type { AssetView } from '../../service/assets/view.js';
import type { TimeRange } from './types.js';

/** Most asset events a report lists; beyond that the report says how many were left out. */
export const MAX_REPORT_ASSET_EVENTS = 500;

/** Reads the asset register (资产统计) for a report: the devices now, and the changes in a range. */
export interface AssetSource {
  assets(): Promise<AssetView[]>;
  events(range: TimeRange): Promise<{ total: number; items: AssetEvent[] }>;
}

/** The asset register in the state database (src/service/assets), joined with the inventory in force. */
export class StateDbAssetSource implements AssetSource {
  private readonly service: ReturnType<typeof assetService>;

  constructor(db: Db, inventory: readonly Device[]) {
    this.service = assetService(db, () => inventory);
  }

  async assets(): Promise<AssetView[]> {
    return this.service.list();
  }

  async events(range: TimeRange): Promise<{ total: number; items: AssetEvent[] }> {
    return this.service.events({ since: range.start, until: range.end, limit: MAX_REPORT_ASSET_EVENTS });
  }
}
