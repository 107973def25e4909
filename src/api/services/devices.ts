import type { DeviceClass } from '../../config/inventory-schema.js';
import type { Sample } from '../../core/sample.js';
import type { Awaitable } from './awaitable.js';

/** The condition the API reports for a device and the wall colours its tile by. */
export const DEVICE_CONDITIONS = ['up', 'down', 'unreachable', 'maintenance', 'unknown'] as const;
/**
 * The scheduler's `Reachability` (up, down, unreachable, unknown: see scheduler/device-state.ts),
 * except `maintenance`: inside an active maintenance window (from the alert engine), whatever the polls say.
 */
export type DeviceCondition = (typeof DEVICE_CONDITIONS)[number];

/** One device as the API lists it: inventory, identity, condition and open incident count. */
export interface DeviceSummary {
  name: string;
  address: string;
  site: string;
  class: DeviceClass;
  tags: string[];
  description?: string;
  /** From identification (system measurement); absent until the first SNMP poll. */
  vendor?: string;
  model?: string;
  sysName?: string;
  state: DeviceCondition;
  /** Why the device is not up, in a sentence (from the registry). */
  reason?: string;
  /** When the device entered its current state. */
  stateSince?: Date;
  /** End of the last poll of any kind. */
  lastPolledAt?: Date;
  /** Latest ICMP figures, for the wall's WAN sparklines; absent when never pinged or nothing came back. */
  rttMs?: number;
  lossPct?: number;
  openIncidents: number;
}

/** The scheduler's device-state registry, joined with the inventory and the latest samples. */
export interface DeviceDirectory {
  list(): Awaitable<DeviceSummary[]>;
  get(name: string): Awaitable<DeviceSummary | undefined>;
  /** The most recent sample per measurement and instance for one device (interfaces, cpu, memory, sensors, ...). */
  latestSamples(name: string): Awaitable<readonly Sample[]>;
}
