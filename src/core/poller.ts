import type { Device } from '../config/inventory-schema.js';
import type { PollError, Sample } from './sample.js';

/** The kinds of poll the scheduler runs, each on its own interval. */
export type PollKind = 'icmp' | 'snmp' | 'inventory';

/** What one poll of one device produced: samples, and what went wrong (as data). */
export interface PollResult {
  samples: Sample[];
  errors: PollError[];
  /** False when the device could not be polled at all (no answer, auth failure). */
  reachable: boolean;
}

/**
 * A poller of one kind. Implementations keep per-device state (sessions, previous counters)
 * themselves and must honour `signal`: the scheduler aborts a poll that passes its deadline.
 */
export interface Poller {
  kind: PollKind;
  poll(device: Device, signal: AbortSignal): Promise<PollResult>;
  /** Forget per-device state (a device was removed or changed). */
  forget?(deviceName: string): void;
  close(): Promise<void>;
}

/** A poller that handles many devices in one go (fping runs one process for a whole batch). */
export interface BatchPoller {
  kind: PollKind;
  pollMany(devices: readonly Device[], signal: AbortSignal): Promise<Map<string, PollResult>>;
  close(): Promise<void>;
}

/** Tags every sample of a device carries. `vendor` is filled by the SNMP poller once the device is identified. */
export function deviceTags(device: Device, vendor?: string): Record<string, string> {
  return { device: device.name, site: device.site, class: device.class, vendor: vendor ?? 'unknown' };
}
