import type { Sink } from '../core/bus.js';
import type { Clock } from '../core/clock.js';
import type { Sample } from '../core/sample.js';

/** The event catalog type (src/events/catalogs/*.yaml) of "the configuration changed": hwCfgChgNotify, ciscoConfigManEvent, %SYS-5-CONFIG_I, ... */
export const CONFIG_CHANGE_EVENT_TYPE = 'config-change';

/** Longest a device's last report is remembered for the reason text. */
const MAX_REASON = 200;

/**
 * A sink on the bus that hears `event` samples of type `config-change` and, per device, backs it up once the
 * device has been quiet for `debounceMs` (each new report restarts its wait), so a burst of edits makes one
 * version. Devices that cannot be backed up (no ssh settings) and unknown senders are ignored.
 */
export class ConfigChangeTrigger implements Sink {
  readonly name = 'config-backup triggers';
  private readonly waiting = new Map<string, { timer: { cancel(): void }; reports: number; last: string }>();
  private closed = false;

  constructor(private readonly opts: {
    clock: Clock;
    debounceMs: () => number;
    /** True when the device has ssh settings (read afresh: the inventory may have been reloaded). */
    known: (device: string) => boolean;
    fire: (device: string, reason: string, reports: number) => void;
  }) {}

  async write(batch: readonly Sample[]): Promise<void> {
    if (this.closed) return;
    for (const s of batch) {
      if (s.measurement !== 'event' || s.tags.type !== CONFIG_CHANGE_EVENT_TYPE) continue;
      const device = s.tags.device;
      if (!device || !this.opts.known(device)) continue;
      const text = typeof s.fields.message === 'string' ? s.fields.message : '';
      const key = typeof s.fields.key === 'string' ? s.fields.key : s.tags.source ?? 'event';
      this.note(device, `${key}: ${text}`.slice(0, MAX_REASON));
    }
  }

  /** Devices with a backup waiting for the quiet time to pass. */
  pending(): string[] { return [...this.waiting.keys()]; }

  private note(device: string, what: string): void {
    const prev = this.waiting.get(device);
    prev?.timer.cancel();
    const entry = { reports: (prev?.reports ?? 0) + 1, last: what, timer: { cancel() {} } };
    entry.timer = this.opts.clock.setTimeout(() => {
      this.waiting.delete(device);
      if (!this.closed) this.opts.fire(device, entry.last, entry.reports);
    }, this.opts.debounceMs());
    this.waiting.set(device, entry);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.waiting.values()) w.timer.cancel();
    this.waiting.clear();
  }
}
