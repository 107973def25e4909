import type { Sample } from '../../core/sample.js';
import type { CompiledRule, DeviceInfo } from '../rules.js';
import type { AlertStateMachine } from './alert-state.js';
import type { EngineContext, Pass } from './context.js';
import type { LatestTable, Series } from './latest.js';
import { alertFingerprint, type Tracker, type TrackerTable } from './trackers.js';

/** Polls of a device in a row without an instance before its tracker is forgotten (unless it fires). */
export const DEFAULT_FORGET_AFTER_POLLS = 5;

/** Absence and no-data-fire rules alarm on silence itself: their trackers must outlive it. */
function outlivesSilence(rule: CompiledRule): boolean {
  return rule.condition.kind === 'absence' || rule.spec.noData.action === 'fire';
}

/**
 * The evaluation stage: samples through the rule index into trackers and the state machine, the timers of every
 * tick (for, clearFor, absence, no data, flapping), and forgetting trackers whose instance went away.
 */
export class Evaluator {
  /** After setRules: the next tick looks at every tracker once (retires those of removed rules). */
  private sweepAll = true;

  constructor(
    private readonly ctx: EngineContext,
    private readonly trackers: TrackerTable,
    private readonly latest: LatestTable,
    private readonly machine: AlertStateMachine,
    /** Called when a tracker's condition memory changed without a state change (saved at checkpoints). */
    private readonly onMemory: (tr: Tracker) => void,
    private readonly forgetAfterPolls: () => number,
  ) {}

  rulesChanged(): void {
    this.sweepAll = true;
    this.latest.sweepAgain();
  }

  /** One batch in one pass: every sample is taken in first (guards read other measurements' latest samples). */
  evaluateBatch(pass: Pass, batch: readonly Sample[]): void {
    this.latest.nextBatch();
    for (const s of batch) {
      const series = this.latest.take(s);
      if (series) this.forgetUnseen(pass, series);
    }
    for (const s of batch) this.evaluateSample(pass, s);
  }

  private evaluateSample(pass: Pass, s: Sample): void {
    const rules = this.ctx.rules.forMeasurement(s.measurement);
    const devName = s.tags.device;
    if (!rules || !devName) return;
    const device = this.ctx.devices.of(devName, s.tags);
    const t = s.time.getTime();
    const series = this.latest.series(devName, s.measurement);
    for (const rule of rules) {
      if (!rule.selectsSample(s, device)) continue;
      const instance = rule.instanceOf(s);
      const tr = this.tracker(rule, device, instance, s.measurement, s.tags);
      tr.tags = s.tags;
      tr.lastSampleAt = t;
      tr.seen = series.poll;
      const e = rule.condition.onSample(s, tr.series, this.latest.lookup);
      const ce = rule.clear?.onSample(s, tr.clearSeries, this.latest.lookup);
      // Thresholds keep no memory: an inactive tracker of one changed nothing worth saving.
      if (tr.state !== 'inactive' || rule.condition.kind !== 'threshold' || (rule.clear && rule.clear.kind !== 'threshold')) this.onMemory(tr);
      this.machine.step(pass, tr, rule, e, ce, t);
    }
  }

  /** The tracker of a rule on an instance, made when new. */
  private tracker(rule: CompiledRule, device: DeviceInfo, instance: string, measurement: string, tags: Record<string, string>): Tracker {
    // The series index first: no hashing per sample.
    const known = this.latest.series(device.name, measurement).trackers.get(rule.name)?.get(instance);
    if (known) return known;
    const fingerprint = alertFingerprint(rule.name, device.name, instance);
    let tr = this.trackers.get(fingerprint);
    if (tr && tr.measurement !== measurement) {
      // Its rule now selects another measurement (a reload): file it under that one.
      this.latest.forget(tr);
      tr.measurement = measurement;
    } else if (!tr) {
      tr = {
        fingerprint, rule: rule.name, device: device.name, instance, measurement, tags,
        state: 'inactive', series: {}, clearSeries: {}, consecutive: 0, lastActive: false,
        severity: rule.severityFor(device), changes: [], flapping: false, seen: 0, seq: 0, hotSeq: 0, stored: false,
      };
      this.trackers.add(tr);
    }
    this.latest.add(tr);
    return tr;
  }

  /** A new poll of a series: trackers its last `forgetAfterPolls` polls did not select are forgotten, unless they matter. */
  private forgetUnseen(pass: Pass, series: Series): void {
    const limit = series.poll - 1 - this.forgetAfterPolls();
    if (limit < series.oldest) return;
    let oldest = Number.POSITIVE_INFINITY;
    for (const [name, byInstance] of series.trackers) {
      const rule = this.ctx.rules.get(name);
      if (!rule || outlivesSilence(rule)) continue;
      for (const tr of [...byInstance.values()]) {
        if (tr.seen > limit || tr.state === 'firing' || tr.incidentId !== undefined || tr.flapping) oldest = Math.min(oldest, tr.seen);
        else this.machine.forget(pass, tr);
      }
    }
    series.oldest = oldest;
  }

  /** The timers: every tracker that time alone can change. */
  evaluateTimers(pass: Pass, now: number): void {
    this.ensureAbsenceTrackers(now, pass);
    let list: Tracker[];
    if (this.sweepAll) {
      this.sweepAll = false;
      list = [...this.trackers.values()];
    } else {
      // Inactive trackers of other rules wait for samples: only hot and timed ones can move, in the order of a full pass.
      const set = new Set<Tracker>(this.trackers.timed);
      for (const tr of this.trackers.hot) set.add(tr);
      list = [...set].sort((a, b) => a.seq - b.seq);
    }
    for (const tr of list) this.timersOf(pass, tr, now);
  }

  private timersOf(pass: Pass, tr: Tracker, now: number): void {
    if (this.trackers.get(tr.fingerprint) !== tr) return;
    const rule = this.ctx.rules.get(tr.rule);
    if (!rule) { this.machine.retire(pass, tr, now); return; }
    const lookup = this.latest.lookup;
    const e = rule.condition.onTick?.(tr.series, now, tr.device, lookup);
    const ce = rule.clear?.onTick?.(tr.clearSeries, now, tr.device, lookup);
    if (e || ce) this.machine.step(pass, tr, rule, e, ce, now);
    if (!rule.condition.onTick && tr.lastSampleAt !== undefined && now - tr.lastSampleAt >= rule.spec.noData.after) {
      const action = rule.spec.noData.action;
      if (action === 'resolve') {
        if (tr.state === 'firing') this.machine.resolve(pass, tr, now);
        else if (tr.state === 'pending') this.machine.cancelPending(pass, tr);
      } else if (action === 'fire' && tr.state !== 'firing') {
        tr.value = 'no data';
        this.machine.step(pass, tr, rule, { active: true, value: 'no data' }, undefined, now);
      }
    }
    if (this.machine.ready(tr, rule, now)) this.machine.fire(pass, tr, now);
    if (tr.state === 'firing' && tr.clearSince !== undefined && now - tr.clearSince >= rule.spec.clearFor) this.machine.resolve(pass, tr, now);
    const flapping = this.ctx.rules.rules.flapping;
    if (tr.flapping && now - (tr.changes[tr.changes.length - 1] ?? 0) >= flapping.stableFor) {
      tr.flapping = false;
      tr.changes = [];
      this.ctx.log.info({ rule: tr.rule, device: tr.device, instance: tr.instance }, 'alert is stable again');
      pass.mark(tr);
      this.trackers.updateHot(tr);
    }
  }

  /** Device-level absence rules watch every selected device, including ones never heard from. */
  private ensureAbsenceTrackers(now: number, pass: Pass): void {
    for (const rule of this.ctx.rules.rules.rules) {
      if (rule.condition.kind !== 'absence' || !rule.deviceLevel) continue;
      for (const name of this.ctx.devices.enabled()) {
        const d = this.ctx.devices.get(name)!;
        if (!rule.selectsDevice(d)) continue;
        const tr = this.tracker(rule, d, '', rule.spec.select.measurement, { device: d.name, site: d.site, class: d.class });
        if (tr.series.lastSeen === undefined) { tr.series.lastSeen = this.ctx.devices.since(name) ?? now; pass.mark(tr); }
      }
    }
  }

  /** Resolves and forgets the trackers of devices that left the inventory. */
  retireDevices(pass: Pass, gone: readonly string[], now: number): void {
    if (gone.length === 0) return;
    const names = new Set(gone);
    for (const tr of [...this.trackers.values()]) if (names.has(tr.device)) this.machine.retire(pass, tr, now);
    for (const name of gone) this.latest.dropDevice(name);
  }
}
