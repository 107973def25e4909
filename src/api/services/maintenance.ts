import type { MaintenanceWindow, WindowStatus } from '../../alerting/maintenance.js';
import type { MaintenanceInput } from '../../alerting/rules-schema.js';
import type { Awaitable } from './awaitable.js';

/** The alert engine's maintenance windows (the maintenance muter reads the same windows). */
export interface MaintenanceService {
  /** Every window with its state now (for a recurring window: the current or next occurrence). */
  list(): Awaitable<(MaintenanceWindow & WindowStatus)[]>;
  /** Plans a window; the API has already checked the device and site names. */
  create(input: MaintenanceInput, by: string): Awaitable<MaintenanceWindow & WindowStatus>;
  /** Ends an API window at `at` (dropping it when it has not begun); undefined when there is no such window. */
  endEarly(id: string, at: Date): Awaitable<(MaintenanceWindow & WindowStatus) | undefined>;
  /** False when there is no such window. */
  remove(id: string): Awaitable<boolean>;
}
