import type { Device } from '../config/inventory-schema.js';
import type { Sink } from '../core/bus.js';
import type { PollKind } from '../core/poller.js';
import type { Sample } from '../core/sample.js';
import type { DeviceStateRegistry } from '../scheduler/device-state.js';
import type { ClusterSection } from '../config/sections/cluster.js';
import { deviceGroup } from './groups.js';

/**
 * Keeps the core's device-state registry (what the API and the wall show) in step with polls made by the
 * pollers: the core schedules nothing itself, so it reads each device's state from the `icmp` and
 * `snmp_poll` samples it consumes, the way the scheduler would have recorded the polls. Devices of a group
 * without a live poller go back to `unknown`: nobody polls them, which is not the same as them being down.
 */
export class RemoteDeviceState implements Sink {
  readonly name = 'remote-device-state';

  constructor(private readonly registry: DeviceStateRegistry) {}

  async write(batch: readonly Sample[]): Promise<void> {
    // A poll's snmp_poll with ok=false alone means the device did not answer; with other samples it was partial.
    const others = new Set<string>();
    for (const s of batch) if (s.measurement !== 'snmp_poll' && s.measurement !== 'icmp' && s.tags.device) others.add(s.tags.device);
    for (const s of batch) {
      const device = s.tags.device;
      if (!device) continue;
      if (s.measurement === 'icmp' && typeof s.fields.up === 'boolean') {
        const error = s.fields.up ? undefined : `no echo reply (${String(s.fields.sent ?? '?')} sent)`;
        this.registry.record(device, 'icmp', { ok: s.fields.up, reachable: s.fields.up, durationMs: 0, ...(error ? { error } : {}) });
      } else if (s.measurement === 'snmp_poll' && (s.tags.kind === 'snmp' || s.tags.kind === 'inventory') && typeof s.fields.ok === 'boolean') {
        const ok = s.fields.ok;
        const error = typeof s.fields.error === 'string' && s.fields.error !== '' ? s.fields.error : undefined;
        this.registry.record(device, s.tags.kind as PollKind, {
          ok, reachable: ok || others.has(device), durationMs: typeof s.fields.duration_ms === 'number' ? s.fields.duration_ms : 0, ...(error ? { error } : {}),
        });
      }
    }
  }

  /** Sets every device of a group without a live poller back to `unknown`; returns how many were reset. */
  orphan(devices: readonly Device[], section: Pick<ClusterSection, 'groups'>, liveGroups: ReadonlySet<string>): number {
    const orphans = new Set(devices.filter((d) => d.enabled && !liveGroups.has(deviceGroup(d, section)) && this.registry.get(d.name)?.status !== 'unknown').map((d) => d.name));
    if (orphans.size === 0) return 0;
    const enabled = devices.filter((d) => d.enabled);
    // The registry has no "forget this verdict": dropping and re-adding an entry starts it over as unknown.
    this.registry.sync(enabled.filter((d) => !orphans.has(d.name)));
    this.registry.sync(enabled);
    return orphans.size;
  }

  async close(): Promise<void> { /* nothing held */ }
}
