import type { Sink } from '../core/bus.js';
import type { Sample } from '../core/sample.js';

/** Tags every device sample carries; the rest identify the instance (interface, cpu, sensor, ...). */
const DEVICE_TAGS = new Set(['device', 'site', 'class', 'vendor']);

/**
 * A bus sink that keeps the newest sample of every measurement and instance of every device, so the
 * API can show a device's current metrics and interfaces without asking InfluxDB.
 */
export class LatestSamples implements Sink {
  readonly name = 'api-latest';
  private byDevice = new Map<string, Map<string, Sample>>();

  async write(batch: readonly Sample[]): Promise<void> {
    for (const s of batch) {
      const device = s.tags.device;
      // Samples about Noctua itself or about alerts belong to no device.
      if (!device || s.measurement === 'alert_event' || s.measurement === 'noctua_self') continue;
      const key = s.measurement + '|' + Object.entries(s.tags)
        .filter(([k]) => !DEVICE_TAGS.has(k)).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`).join(',');
      let samples = this.byDevice.get(device);
      if (!samples) this.byDevice.set(device, (samples = new Map()));
      const prev = samples.get(key);
      if (!prev || prev.time.getTime() <= s.time.getTime()) samples.set(key, s);
    }
  }

  /** The newest samples of one device, one per measurement and instance. */
  of(device: string): Sample[] {
    return [...(this.byDevice.get(device)?.values() ?? [])];
  }

  /** The newest sample of one measurement of a device (device-level measurements such as icmp, system). */
  one(device: string, measurement: string): Sample | undefined {
    return this.byDevice.get(device)?.get(measurement + '|');
  }

  /** Drops a device removed from the inventory. */
  forget(device: string): void {
    this.byDevice.delete(device);
  }

  async close(): Promise<void> {
    this.byDevice.clear();
  }
}
