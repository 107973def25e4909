import type { Device } from '../../config/inventory-schema.js';
import type { Db } from '../../core/database.js';
import { AssetStore, type AssetEventFilter } from './store.js';
import { assetViews, type AssetView } from './view.js';

/** The asset register's reads over the state database, joined with the inventory in force (API, CLI, reports). */
export function assetService(db: Db, inventory: () => readonly Device[]): { list(): AssetView[]; events(f: AssetEventFilter): ReturnType<AssetStore['events']> } {
  const store = new AssetStore(db);
  return { list: () => assetViews(store, inventory()), events: (f) => store.events(f) };
}
