import type { Sample } from '../core/sample.js';
import type { VersionRecord } from './store.js';

/** A configuration change as incidents and reports refer to it. */
export interface ConfigChangeRef {
  device: string;
  commit: string;
  time: Date;
  added: number;
  removed: number;
  first: boolean;
  trigger: string;
  by: string;
}

/** Changes remembered per device for correlation (the newest; older ones are far outside any window). */
const KEEP_PER_DEVICE = 50;

/**
 * Recent configuration changes per device, in memory, so an incident's notice can name the change that
 * preceded it without a git call inside escalation's transaction. Filled from the store at start, then by
 * each new version.
 */
export class ChangeIndex {
  private readonly byDevice = new Map<string, ConfigChangeRef[]>();

  /** Adds versions (any order); first versions are kept but never shown as a change before an incident. */
  add(records: readonly (VersionRecord | ConfigChangeRef)[]): void {
    for (const r of records) {
      const ref: ConfigChangeRef = {
        device: r.device, commit: r.commit, time: r.time instanceof Date ? r.time : new Date(r.time), added: r.added, removed: r.removed,
        first: r.first, trigger: r.trigger, by: r.by,
      };
      if (!ref.device || Number.isNaN(ref.time.getTime())) continue;
      const list = this.byDevice.get(ref.device) ?? [];
      if (list.some((x) => x.commit === ref.commit)) continue;
      list.push(ref);
      list.sort((a, b) => b.time.getTime() - a.time.getTime());
      list.length = Math.min(list.length, KEEP_PER_DEVICE);
      this.byDevice.set(ref.device, list);
    }
  }

  /**
   * Changes (not first backups) of these devices within `windowMs` before `at` (and not after it), newest first.
   * A first backup records what was there, not a change, so it never explains an incident.
   */
  before(devices: readonly string[], at: Date, windowMs: number): ConfigChangeRef[] {
    const to = at.getTime();
    const from = to - windowMs;
    return devices.flatMap((d) => this.byDevice.get(d) ?? [])
      .filter((c) => !c.first && c.time.getTime() <= to && c.time.getTime() >= from)
      .sort((a, b) => b.time.getTime() - a.time.getTime());
  }
}

/** The `config_change` sample of docs/SCHEMA.md for a new version. */
export function configChangeSample(c: ConfigChangeRef, labels: { site?: string; class?: string; kind?: string } = {}): Sample {
  const tags: Record<string, string> = { device: c.device, trigger: labels.kind ?? 'unknown' };
  if (labels.site) tags.site = labels.site;
  if (labels.class) tags.class = labels.class;
  return {
    measurement: 'config_change', time: c.time, tags,
    fields: { added: BigInt(c.added), removed: BigInt(c.removed), first: c.first, commit: c.commit.slice(0, 12), by: c.by.slice(0, 255), reason: c.trigger.slice(0, 255) },
  };
}
