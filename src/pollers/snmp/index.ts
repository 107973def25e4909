/**
 * The SNMP poller's public face: what the scheduler, the CLI and later the cluster code use.
 * Sessions, profiles and counter state live behind these two factories.
 */
import type { Poller } from '../../core/poller.js';
import { SnmpDevicePoller, type SnmpPollerOptions } from './poller.js';

/** A poller of kind 'snmp' or 'inventory' with per-device state the scheduler can query and move. */
export interface SnmpPoller extends Poller {
  /** Vendor of a device as last identified (`undefined` before its first successful poll); ICMP samples use it. */
  vendorOf(deviceName: string): string | undefined;
  /** Previous raw counters, sysUpTime and engine boots/time of a device, as JSON-safe data (undefined if none yet). */
  exportCounterState(deviceName: string): unknown;
  /** Adopts state from {@link exportCounterState} of another process, so rates continue without a gap or spike. */
  importCounterState(deviceName: string, state: unknown): void;
  /** Closes the device's session and drops its state. */
  forget(deviceName: string): void;
}

/**
 * Polls a device every SNMP cycle: `system`, `interface`, `cpu`, `memory`, `storage`, `sensor`, `ups`,
 * `ups_line`, `pdu`, `firewall`, `event` (reboot) and `snmp_poll` samples (docs/SCHEMA.md).
 * One net-snmp session per device, reused across polls and recreated when its SNMP settings change.
 */
export function createSnmpPoller(opts: SnmpPollerOptions = {}): SnmpPoller {
  return new SnmpDevicePoller('snmp', opts);
}

/**
 * Identifies a device fully (profile, vendor, OS, ENTITY-MIB chassis model/serial/firmware) and emits it
 * as the `system` sample plus `snmp_poll` (kind inventory); run on the slow inventory interval.
 */
export function createInventoryPoller(opts: SnmpPollerOptions = {}): SnmpPoller {
  return new SnmpDevicePoller('inventory', opts);
}

export type { SnmpPollerOptions } from './poller.js';
export { SnmpError, type SnmpErrorKind, type SnmpSession } from './session.js';
export { loadProfiles, BUILTIN_PROFILE_DIR, type Profile } from './profile.js';
