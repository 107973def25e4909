import { createHash } from 'node:crypto';
import type { AlertView, Severity } from '../../core/incident.js';
import type { SeriesState } from '../conditions.js';

/** A condition's value or threshold as remembered for `{{value}}`. */
export type Value = number | string | boolean;

/** One rule on one instance: its state, timers and condition memory. Persisted as JSON (see {@link trackerJson}). */
export interface Tracker {
  fingerprint: string;
  rule: string;
  device: string;
  instance: string;
  measurement: string;
  tags: Record<string, string>;
  state: 'inactive' | 'pending' | 'firing';
  series: SeriesState;
  clearSeries: SeriesState;
  activeSince?: number;
  consecutive: number;
  lastActive: boolean;
  firedAt?: number;
  endsAt?: number;
  clearSince?: number;
  lastSampleAt?: number;
  value?: Value;
  threshold?: Value;
  severity: Severity;
  /** Times of firing/resolved changes within the flapping window. */
  changes: number[];
  flapping: boolean;
  incidentId?: string;
  /** The incident was resolved by hand while this alert still fired: keep it out until it resolves. */
  closed?: boolean;
  logId?: number;
  mutedBy?: { kind: NonNullable<AlertView['mutedBy']>['kind']; detail: string };
  /** Not persisted: the poll (of its device and measurement) in which a sample last selected it; see LatestTable. */
  seen: number;
  /** Not persisted: creation order, so passes over some trackers keep the order of a pass over all. */
  seq: number;
  /** Not persisted: when it became hot, for the same reason. */
  hotSeq: number;
  /** Not persisted: it has a row in the store. */
  stored: boolean;
}

/** Fields of this process's bookkeeping, never persisted. */
export type TrackerBookkeeping = 'seen' | 'seq' | 'hotSeq' | 'stored';

/** What the table needs to know of a tracker's rule. */
export interface RuleTraits {
  /** The rule says its device is down (parent suppression reads these). */
  deviceDown: boolean;
  /** Time alone can change its alerts even when inactive (absence, events, no data firing): every tick looks at them. */
  timed: boolean;
}

/** The fingerprint of an alert: rule + device + instance. */
export function alertFingerprint(rule: string, device: string, instance: string): string {
  // The first 8 bytes as hex: the same text as the digest's hex cut to 16 characters, without a sliced string keeping
  // the 64-character hex alive for as long as the tracker lives (~100 bytes on each of 70,000 trackers at 5,000 devices).
  return createHash('sha256').update(`${rule}\u0000${device}\u0000${instance}`).digest().toString('hex', 0, 8);
}

/** The row's JSON: every field but the bookkeeping of this process. */
export function trackerJson(tr: Tracker): string {
  const { seen: _seen, seq: _seq, hotSeq: _hotSeq, stored: _stored, ...kept } = tr;
  return JSON.stringify(kept);
}

/** A tracker read back from its row. */
export function parseTracker(data: string): Tracker {
  return { ...(JSON.parse(data) as Omit<Tracker, TrackerBookkeeping>), seen: 0, seq: 0, hotSeq: 0, stored: true };
}

/**
 * Every tracker by fingerprint (LatestTable files them by series, rule and instance), with the indexes the stages read: the hot ones
 * (taking part in incidents), the hot ones of `deviceDown` rules (parent suppression), the ones of timed rules, and
 * the members of each incident.
 */
export class TrackerTable {
  private readonly byFp = new Map<string, Tracker>();
  private readonly byIncident = new Map<string, Set<Tracker>>();
  /** Not inactive, in an incident, or flapping; in the order they became so. */
  readonly hot = new Set<Tracker>();
  /** Hot trackers of `deviceDown` rules that are pending or firing. */
  readonly down = new Set<Tracker>();
  /** Trackers of timed rules (see {@link RuleTraits.timed}). */
  readonly timed = new Set<Tracker>();
  private hotSeq = 0;
  private seq = 0;

  constructor(private readonly traits: (rule: string) => RuleTraits | undefined) {}

  get size(): number { return this.byFp.size; }
  get(fp: string): Tracker | undefined { return this.byFp.get(fp); }
  values(): IterableIterator<Tracker> { return this.byFp.values(); }

  add(tr: Tracker): void {
    tr.seq = ++this.seq;
    this.byFp.set(tr.fingerprint, tr);
    if (tr.incidentId !== undefined) this.members(tr.incidentId, true).add(tr);
    this.updateHot(tr);
  }

  delete(tr: Tracker): void {
    this.byFp.delete(tr.fingerprint);
    if (tr.incidentId !== undefined) this.byIncident.get(tr.incidentId)?.delete(tr);
    this.hot.delete(tr);
    this.down.delete(tr);
    this.timed.delete(tr);
  }

  /** Moves a tracker into an incident (or out of any). */
  setIncident(tr: Tracker, id: string | undefined): void {
    if (tr.incidentId === id) return;
    if (tr.incidentId !== undefined) {
      const old = this.byIncident.get(tr.incidentId);
      old?.delete(tr);
      if (old?.size === 0) this.byIncident.delete(tr.incidentId);
    }
    tr.incidentId = id;
    if (id !== undefined) this.members(id, true).add(tr);
    this.updateHot(tr);
  }

  /** The trackers in an incident. */
  members(id: string, create = false): Set<Tracker> {
    let set = this.byIncident.get(id);
    if (!set) {
      set = new Set();
      if (create) this.byIncident.set(id, set);
    }
    return set;
  }

  /** Re-files a tracker after its state, incident or flapping changed. */
  updateHot(tr: Tracker): void {
    if (this.byFp.get(tr.fingerprint) !== tr) return;
    if (tr.state !== 'inactive' || tr.incidentId !== undefined || tr.flapping) {
      if (!this.hot.has(tr)) { tr.hotSeq = ++this.hotSeq; this.hot.add(tr); }
    } else {
      this.hot.delete(tr);
    }
    const traits = this.traits(tr.rule);
    if (tr.state !== 'inactive' && this.hot.has(tr) && traits?.deviceDown) this.down.add(tr);
    else this.down.delete(tr);
    if (traits?.timed) this.timed.add(tr);
    else this.timed.delete(tr);
  }

  /** Re-files every tracker after the rules changed. */
  reindex(): void {
    this.down.clear();
    for (const tr of this.byFp.values()) this.updateHot(tr);
  }
}
