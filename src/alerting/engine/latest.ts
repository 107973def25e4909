import type { Sample } from '../../core/sample.js';
import type { LatestLookup } from '../conditions.js';
import type { Tracker } from './trackers.js';

/** One device's series of one measurement: its latest sample, how many polls delivered it, and its trackers. */
export interface Series {
  fields?: Sample['fields'];
  time: number;
  /** Polls seen so far: a batch whose sample has another time than the last one starts a new poll. */
  poll: number;
  /** The batch that last counted a poll: a batch is at most one poll of a series, whatever times its samples carry. */
  batch: number;
  /** Its trackers by rule and instance. */
  trackers: Map<string, Map<string, Tracker>>;
  /** No tracker here was last seen in an earlier poll than this (a lower bound): sweeps before it find nothing. */
  oldest: number;
}

/**
 * The latest sample of every device and measurement (guards read other measurements'), and the poll count that
 * tells which trackers were not seen for a while: instance names come from devices (ifName, mount, sensor names),
 * so trackers of names that went away must be forgotten or a device renaming its ports grows memory without bound.
 */
export class LatestTable {
  private readonly byDevice = new Map<string, Map<string, Series>>();

  /** Guards' view: only series that have had a sample. */
  readonly lookup: LatestLookup = (device, measurement) => {
    const s = this.byDevice.get(device)?.get(measurement);
    return s?.fields ? (s as { fields: Sample['fields']; time: number }) : undefined;
  };

  private batches = 0;

  /** The series of a device's measurement (made empty when new). */
  series(device: string, measurement: string): Series {
    let m = this.byDevice.get(device);
    if (!m) { m = new Map(); this.byDevice.set(device, m); }
    let s = m.get(measurement);
    if (!s) { s = { time: Number.NaN, poll: 0, batch: 0, trackers: new Map(), oldest: Number.POSITIVE_INFINITY }; m.set(measurement, s); }
    return s;
  }

  /** Starts a batch: its samples count as one poll of each series they belong to. */
  nextBatch(): void { this.batches++; }

  /** Takes a sample in; returns its series when the sample starts a new poll of it. */
  take(s: Sample): Series | undefined {
    const dev = s.tags.device;
    if (!dev) return undefined;
    const series = this.series(dev, s.measurement);
    const t = s.time.getTime();
    const fresh = t !== series.time && series.batch !== this.batches;
    if (fresh) { series.poll++; series.batch = this.batches; }
    series.fields = s.fields;
    series.time = t;
    return fresh ? series : undefined;
  }

  /** Files a tracker under its series, seen in the current poll. */
  add(tr: Tracker): void {
    const series = this.series(tr.device, tr.measurement);
    let byInstance = series.trackers.get(tr.rule);
    if (!byInstance) { byInstance = new Map(); series.trackers.set(tr.rule, byInstance); }
    byInstance.set(tr.instance, tr);
    tr.seen = series.poll;
    series.oldest = Math.min(series.oldest, tr.seen);
  }

  forget(tr: Tracker): void {
    const byInstance = this.byDevice.get(tr.device)?.get(tr.measurement)?.trackers.get(tr.rule);
    if (byInstance?.get(tr.instance) === tr) byInstance.delete(tr.instance);
  }

  /** After a reload of the rules (which rules outlive silence may have changed): the next poll of each series sweeps. */
  sweepAgain(): void {
    for (const m of this.byDevice.values()) for (const s of m.values()) s.oldest = 0;
  }

  /** Drops the series of devices that left the inventory. */
  dropDevice(device: string): void { this.byDevice.delete(device); }
}
