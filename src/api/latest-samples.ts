import type { Sink } from '../core/bus.js';
import { BUS_ONLY_MEASUREMENTS, type Sample } from '../core/sample.js';

/** Tags every device sample carries; the rest identify the instance (interface, cpu, sensor, ...). */
const DEVICE_TAGS = new Set(['device', 'site', 'class', 'vendor']);

/**
 * The tag that alone identifies an instance of a measurement. An interface is its ifIndex: its name, alias and
 * description are what the device calls it today, and a device that renames its ports must not add entries.
 */
const INSTANCE_TAG: Readonly<Record<string, string>> = { interface: 'ifIndex' };

/**
 * An instance not refreshed by this many of its measurement's latest polls of the device is dropped: a port,
 * sensor or mount that went away (or was renamed, for measurements named by what the device says) ages out.
 */
export const KEEP_POLLS = 3;

/** The newest samples of one measurement of one device, and the times of its latest polls. */
interface MeasurementSlot {
  byInstance: Map<string, Sample>;
  /** Distinct sample times of the latest polls, oldest first, at most KEEP_POLLS (one poll = one time). */
  pollTimes: number[];
}

function instanceKey(s: Sample): string {
  const by = INSTANCE_TAG[s.measurement];
  if (by !== undefined && s.tags[by] !== undefined) return `${by}=${s.tags[by]}`;
  return Object.entries(s.tags).filter(([k]) => !DEVICE_TAGS.has(k)).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`).join(',');
}

/**
 * A bus sink that keeps the newest sample of every measurement and instance of every device, so the
 * API can show a device's current metrics and interfaces without asking InfluxDB. Bounded by what the
 * devices have now: instances are keyed by identity (ifIndex for interfaces) and pruned after KEEP_POLLS polls.
 */
export class LatestSamples implements Sink {
  readonly name = 'api-latest';
  private byDevice = new Map<string, Map<string, MeasurementSlot>>();

  async write(batch: readonly Sample[]): Promise<void> {
    const polled = new Set<MeasurementSlot>();
    for (const s of batch) {
      const device = s.tags.device;
      // Samples about Noctua itself or about alerts belong to no device.
      if (!device || s.measurement === 'alert_event' || s.measurement === 'noctua_self' || BUS_ONLY_MEASUREMENTS.has(s.measurement)) continue;
      let slots = this.byDevice.get(device);
      if (!slots) this.byDevice.set(device, (slots = new Map()));
      let slot = slots.get(s.measurement);
      if (!slot) slots.set(s.measurement, (slot = { byInstance: new Map(), pollTimes: [] }));
      const key = instanceKey(s);
      const prev = slot.byInstance.get(key);
      const t = s.time.getTime();
      if (!prev || prev.time.getTime() <= t) slot.byInstance.set(key, s);
      if (t > (slot.pollTimes[slot.pollTimes.length - 1] ?? -Infinity)) {
        slot.pollTimes.push(t);
        if (slot.pollTimes.length > KEEP_POLLS) slot.pollTimes.shift();
        polled.add(slot);
      }
    }
    // Once per measurement that saw a new poll, not once per sample.
    for (const slot of polled) {
      if (slot.pollTimes.length < KEEP_POLLS) continue;
      const oldestKept = slot.pollTimes[0]!;
      for (const [key, s] of slot.byInstance) if (s.time.getTime() < oldestKept) slot.byInstance.delete(key);
    }
  }

  /** The newest samples of one device, one per measurement and instance. */
  of(device: string): Sample[] {
    return [...(this.byDevice.get(device)?.values() ?? [])].flatMap((slot) => [...slot.byInstance.values()]);
  }

  /** The ifName the last poll gave an ifIndex (traps that carry only the index are named with it). */
  interfaceName(device: string, ifIndex: string): string | undefined {
    return this.byDevice.get(device)?.get('interface')?.byInstance.get(`ifIndex=${ifIndex}`)?.tags.ifName;
  }

  /** The newest sample of one measurement of a device (device-level measurements such as icmp, system). */
  one(device: string, measurement: string): Sample | undefined {
    return this.byDevice.get(device)?.get(measurement)?.byInstance.get('');
  }

  /** How many samples are kept in all (for tests and self-metrics). */
  size(): number {
    let n = 0;
    for (const slots of this.byDevice.values()) for (const slot of slots.values()) n += slot.byInstance.size;
    return n;
  }

  /** Drops a device removed from the inventory. */
  forget(device: string): void {
    this.byDevice.delete(device);
  }

  async close(): Promise<void> {
    this.byDevice.clear();
  }
}
