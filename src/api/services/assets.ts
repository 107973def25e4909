import type { AssetEventFilter, AssetStore } from '../../service/assets/store.js';
import type { AssetView } from '../../service/assets/view.js';

/** The asset register (资产统计): devices with their parts and operator fields, and the history of changes. */
export interface AssetService {
  list(): AssetView[];
  events(filter: AssetEventFilter): ReturnType<AssetStore['events']>;
}
