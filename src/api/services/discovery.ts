import type { DiscoveryStatus } from '../../discovery/schedule.js';

export type { DiscoveryStatus } from '../../discovery/schedule.js';

/** Scheduled discovery as the API reaches it (src/discovery, docs/DISCOVERY.md). */
export interface DiscoveryView {
  status(): DiscoveryStatus;
  /** Starts a run (or joins the one in progress); resolves when it is over. */
  runNow(): Promise<unknown>;
}
