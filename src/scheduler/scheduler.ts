import type { Device } from '../config/inventory-schema.js';
import { systemClock, type Clock } from '../core/clock.js';
import type { PollKind, PollResult } from '../core/poller.js';
import type { Sample } from '../core/sample.js';
import { FIRST_POLL_WITHIN_MS, KINDS, PollDeadlineError, SPREAD_MIN, SPREAD_STEPS, agentOf, pollDeadlines, sameDevice, type Job, type Running } from './jobs.js';
import { eventLoopDelay, type LoopDelay } from './loop-delay.js';
import { nextSlot, phaseOffsetMs } from './offsets.js';
import { PollSlots, type ReleaseSlot } from './poll-slots.js';
import { callPoller } from './call-poller.js';
import type { DeviceSetChange, SchedulerOptions } from './options.js';
import { cronTicker, type Ticker } from './ticker.js';

export { PollDeadlineError } from './jobs.js';
/**
 * The polling scheduler. Once a second (node-cron) it starts every poll whose slot has come:
 * each device has a stable offset in each interval, so a large fleet is spread over the interval.
 * Rules: a device is never polled twice at once for one kind (a due poll while the last still runs
 * is skipped and counted as an overrun); at most the adaptive in-flight limit (≤ `concurrency`) talk to the network;
 * each poll is aborted `deadlineFraction` of its interval after it starts (a poll that waited for a slot: within its
 * next slot, see pollDeadlines), and an abandoned poll gives its slot back at
 * once, so a dead device costs its own deadline and nobody else's time. ICMP polls due in the same
 * tick go to the poller together (one fping run). While ICMP says a device is unreachable its SNMP
 * and inventory polls are skipped; they resume at their next slot after the first answered ping.
 */
export class PollScheduler {
  private jobs = new Map<string, Job>();
  private devices = new Map<string, Device>();
  private running = new Map<string, Running>();
  private inFlight = new Set<Promise<void>>();
  /** Groups of a tick's polls waiting for their part of the second (see spreadOverSecond). */
  private deferred = new Set<{ cancel(): void }>();
  /** Polls started per second, smoothed (see tick). */
  private arrivals = 0;
  private slots: PollSlots;
  private deadlineFraction: number;
  private readonly clock: Clock;
  private readonly ticker: Ticker;
  private readonly loopDelay: LoopDelay;
  private readonly selfIntervalMs: number;
  private nextSelfAt = 0;
  private started = false;
  private stopped = false;

  constructor(private opts: SchedulerOptions) {
    this.clock = opts.clock ?? systemClock;
    this.ticker = opts.ticker ?? cronTicker();
    this.loopDelay = opts.loopDelay ?? eventLoopDelay();
    this.slots = new PollSlots({ max: opts.concurrency, ...(opts.perAgent !== undefined ? { perAgent: opts.perAgent } : {}) });
    this.deadlineFraction = opts.deadlineFraction;
    this.selfIntervalMs = opts.selfIntervalMs ?? 30_000;
  }

  /** Starts ticking. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.nextSelfAt = this.clock.ms() + this.selfIntervalMs;
    this.loopDelay.start();
    this.ticker.start(() => this.tick());
  }

  /** Applies new limits (a reload of noctua.yaml's scheduler section). */
  setLimits(l: { concurrency?: number; perAgent?: number; deadlineFraction?: number }): void {
    if (l.concurrency !== undefined) this.slots.setLimit({ max: l.concurrency, ...(l.perAgent !== undefined ? { perAgent: l.perAgent } : {}) });
    if (l.deadlineFraction !== undefined) this.deadlineFraction = l.deadlineFraction;
  }

  /** Devices being scheduled now. */
  deviceNames(): string[] { return [...this.devices.keys()].sort(); }

  /** When the next poll of a kind on a device is due (ms since the epoch), for tests and the API. */
  nextDue(device: string, kind: PollKind): number | undefined { return this.jobs.get(`${device}/${kind}`)?.nextDue; }

  /** Polls under way. */
  runningCount(): number { return this.running.size; }

  /**
   * Polls one kind of one device now, outside its slot (its phase is kept): an event such as a linkDown trap
   * asks for the device's interfaces at once instead of at the next cycle. Callers debounce (see repoll.ts).
   * `running`: a poll of it is under way and nothing was started; `unknown`: the device or kind is not scheduled.
   */
  pollNow(device: string, kind: PollKind = 'snmp'): 'started' | 'running' | 'unknown' {
    const job = this.jobs.get(`${device}/${kind}`);
    if (!job || this.stopped) return 'unknown';
    const now = this.clock.ms();
    const r = this.running.get(job.key);
    if (r && now < r.releaseAt) return 'running';
    if (r) this.running.delete(job.key);
    this.opts.metrics.due(kind);
    this.dispatch([{ job, due: now }]);
    return 'started';
  }

  /**
   * Replaces the device set without stopping: added devices start at their next slot, removed ones
   * stop, changed ones restart with their new settings. Polls already under way finish and their
   * samples are published; a removed or changed device's poller state is forgotten afterwards.
   * Disabled devices (`enabled: false`) count as absent.
   */
  setDevices(devices: readonly Device[]): DeviceSetChange {
    const next = new Map(devices.filter((d) => d.enabled).map((d) => [d.name, d]));
    const change: DeviceSetChange = { added: [], removed: [], changed: [] };
    const known = new Set(this.devices.keys());
    for (const [name, old] of this.devices) {
      const nd = next.get(name);
      if (!nd) { change.removed.push(name); this.unschedule(name); }
      else if (!sameDevice(old, nd)) { change.changed.push(name); this.unschedule(name); }
    }
    const now = this.clock.ms();
    for (const [name, d] of next) {
      const old = this.devices.get(name);
      if (old && sameDevice(old, d)) continue;
      if (!known.has(name)) change.added.push(name);
      this.devices.set(name, d);
      for (const kind of KINDS) {
        if (!this.opts.pollers[kind]) continue;
        if (kind === 'icmp' ? d.icmp === false : d.snmp === false) continue;
        const intervalMs = d.intervals[kind];
        const offsetMs = phaseOffsetMs(name, intervalMs);
        const key = `${name}/${kind}`;
        const early = intervalMs > FIRST_POLL_WITHIN_MS;
        // Strictly after now: a slot at this very millisecond would only be seen at the next tick, a late first poll.
        const nextDue = early ? nextSlot(now + 1, FIRST_POLL_WITHIN_MS, phaseOffsetMs(name, FIRST_POLL_WITHIN_MS)) : nextSlot(now + 1, intervalMs, offsetMs);
        this.jobs.set(key, { key, device: d, kind, intervalMs, offsetMs, nextDue, early });
      }
    }
    this.opts.states.sync([...this.devices.values()]);
    for (const name of change.removed) this.opts.metrics.forgetDevice(name);
    this.updateGauges();
    return change;
  }

  private unschedule(name: string): void {
    const d = this.devices.get(name);
    if (d) this.slots.forgetAgent(agentOf(d));
    this.devices.delete(name);
    for (const kind of KINDS) {
      const key = `${name}/${kind}`;
      this.jobs.delete(key);
      const r = this.running.get(key);
      if (r) r.forgetAfter = true;
      else this.forget(kind, name);
    }
  }

  private forget(kind: PollKind, name: string): void {
    try { this.opts.pollers[kind]?.forget?.(name); } catch (err) { this.opts.log?.warn({ err, device: name, kind }, 'poller could not forget device state'); }
  }

  private updateGauges(): void {
    const per: Record<PollKind, number> = { icmp: 0, snmp: 0, inventory: 0 };
    // Polls due per second: single-device polls one each, the ICMP batch of a tick one in all.
    let perSecond = 0;
    for (const j of this.jobs.values()) {
      per[j.kind]++;
      if (j.kind !== 'icmp') perSecond += 1000 / j.intervalMs;
    }
    this.slots.setDemand(Math.max(perSecond + (per.icmp > 0 ? 1 : 0), this.arrivals));
    this.opts.metrics.gauges(per, this.slots.inUse, this.slots.queued, this.slots.limit);
  }

  /** One scheduler step: starts every poll whose slot has come. Driven by the ticker; public for tests. */
  tick(): void {
    if (this.stopped) return;
    const now = this.clock.ms();
    const wasBusy = this.slots.loopBusy, lagMs = this.loopDelay.takeMs();
    this.slots.setLoopDelay(lagMs);
    if (wasBusy !== this.slots.loopBusy) this.opts.log?.[wasBusy ? 'info' : 'warn']({ loopDelayMs: Math.round(lagMs), limit: this.slots.limit, inFlight: this.slots.inUse, queued: this.slots.queued },
      wasBusy ? 'event loop keeps up again: the in-flight limit may grow' : 'event loop lags: the in-flight limit holds or shrinks (the queueing is ours)');
    const icmpBatch: { job: Job; due: number }[] = [];
    const single: { job: Job; due: number }[] = [];
    const icmpPoller = this.opts.pollers.icmp;
    const batchIcmp = icmpPoller !== undefined && 'pollMany' in icmpPoller;
    for (const job of this.jobs.values()) {
      if (job.nextDue > now) continue;
      // After a stall (suspended process, blocked loop) run once for the latest slot, not once per missed slot.
      const missed = job.early ? 0 : Math.floor((now - job.nextDue) / job.intervalMs);
      const due = job.nextDue + missed * job.intervalMs;
      job.nextDue = job.early ? nextSlot(due + 1, job.intervalMs, job.offsetMs) : due + job.intervalMs;
      job.early = false;
      this.opts.metrics.due(job.kind);
      if (missed > 0) this.opts.metrics.overrun(job.kind, job.device.name, missed);
      const r = this.running.get(job.key);
      if (r && now < r.releaseAt) {
        this.opts.metrics.overrun(job.kind, job.device.name);
        this.opts.states.recordOverrun(job.device.name);
        this.opts.log?.debug({ device: job.device.name, kind: job.kind, runningForMs: now - r.startedAt }, 'previous poll still running: overrun');
        continue;
      }
      if (r) {
        this.opts.log?.warn({ device: job.device.name, kind: job.kind, runningForMs: now - r.startedAt }, 'poller ignored its deadline and never returned; polling the device again');
        this.running.delete(job.key);
      }
      if (job.kind !== 'icmp' && this.opts.states.isUnreachable(job.device.name)) {
        this.opts.metrics.backoff(job.kind, job.device.name);
        continue;
      }
      if (job.kind === 'icmp' && batchIcmp) icmpBatch.push({ job, due });
      else single.push({ job, due });
    }
    if (icmpBatch.length > 0) this.dispatch(icmpBatch);
    this.spreadOverSecond(single);
    // Polls started per tick (a second), smoothed over ~20 s: the start-up burst of first polls and a backlog count
    // as demand too, not only what the intervals say (updateGauges).
    this.arrivals += (single.length + (icmpBatch.length > 0 ? 1 : 0) - this.arrivals) * 0.05;
    if (now >= this.nextSelfAt) {
      this.nextSelfAt = now + this.selfIntervalMs;
      void this.emitSelf();
    }
    this.updateGauges();
  }

  /**
   * Starts a tick's single-device polls at once when few, else in {@link SPREAD_STEPS} groups over the second, so agents
   * see a steady rate, not a burst per tick. Phases stay a hash of the name (the same in every cluster process).
   */
  private spreadOverSecond(items: { job: Job; due: number }[]): void {
    if (items.length <= SPREAD_MIN) { for (const item of items) this.dispatch([item]); return; }
    const per = Math.ceil(items.length / SPREAD_STEPS);
    for (let step = 0; step < SPREAD_STEPS; step++) {
      const group = items.slice(step * per, (step + 1) * per);
      if (group.length === 0) break;
      if (step === 0) { for (const item of group) this.dispatch([item]); continue; }
      const timer = this.clock.setTimeout(() => {
        this.deferred.delete(timer);
        for (const item of group) {
          // Unscheduled, changed, stopped or polled by pollNow() in the meantime: nothing to start.
          if (this.stopped || this.jobs.get(item.job.key) !== item.job || this.running.has(item.job.key)) continue;
          this.dispatch([item]);
        }
      }, (step * 1000) / SPREAD_STEPS);
      this.deferred.add(timer);
    }
  }

  private async emitSelf(): Promise<void> {
    const active = new Set<PollKind>([...this.jobs.values()].map((j) => j.kind));
    const samples = this.opts.metrics.takeSamples(this.clock.now(), active);
    if (samples.length === 0) return;
    // One line per period: what an operator tails to see the poller keeping up.
    const summary = Object.fromEntries(samples.map((s) => [s.tags.kind, s.fields]));
    this.opts.log?.info({ devices: this.devices.size, ...summary }, 'poll cycle summary');
    await this.opts.publish(samples);
  }

  /** Runs one poll (or one ICMP batch) under the concurrency limit and its deadline. */
  private dispatch(items: { job: Job; due: number }[]): void {
    const kind = items[0]!.job.kind;
    const poller = this.opts.pollers[kind]!;
    const start = this.clock.ms();
    const intervalMs = Math.min(...items.map((i) => i.job.intervalMs));
    const deadlineMs = Math.max(1, Math.floor(intervalMs * this.deadlineFraction));
    const limits = pollDeadlines({ start, due: Math.min(...items.map((i) => i.due)), intervalMs, deadlineMs, expectedMs: this.slots.latencyMs });
    const controller = new AbortController();
    const waited = limits.waitUntil - start;
    let deadline = this.clock.setTimeout(() => controller.abort(new PollDeadlineError(waited)), waited);
    const entries = new Map<string, Running>();
    for (const { job } of items) {
      const r: Running = { startedAt: start, controller, releaseAt: start + 2 * job.intervalMs, abandoned: false, forgetAfter: false };
      this.running.set(job.key, r);
      entries.set(job.key, r);
    }
    const settle = (job: Job) => {
      const r = entries.get(job.key)!;
      if (this.running.get(job.key) === r) this.running.delete(job.key);
      if (r.forgetAfter) this.forget(job.kind, job.device.name);
    };

    // One device's poll counts against its agent's budget; an ICMP batch (one fping run) only against the process's.
    const agent = items.length === 1 && kind !== 'icmp' ? agentOf(items[0]!.job.device) : undefined;
    const run = async () => {
      let release: ReleaseSlot | undefined;
      try {
        release = await this.slots.acquire(controller.signal, agent, { first: kind === 'icmp' && items.length > 1 });
      } catch {
        for (const { job, due } of items) {
          // Our own backlog, not the device's fault: no verdict on its reachability.
          this.finish(job, due, 0, undefined, `${new PollDeadlineError(waited).message} while waiting for a free slot (${this.slots.inUse} polls in flight, limit ${this.slots.limit})`, undefined);
          settle(job);
        }
        return;
      }
      const began = this.clock.ms();
      // Granted: the deadline is counted from now (within the job's next slot), not from the time spent waiting.
      deadline.cancel();
      const runMs = Math.max(1, limits.runEnd(began) - began);
      deadline = this.clock.setTimeout(() => controller.abort(new PollDeadlineError(runMs)), runMs);
      for (const { due } of items) this.opts.metrics.started(kind, began - due);
      const devices = items.map((i) => i.job.device);
      const answer = callPoller(poller, devices, controller.signal, this.clock, () => items.forEach((i) => settle(i.job)));
      let results: Map<string, PollResult> | undefined;
      let failure: unknown;
      try {
        results = await answer;
      } catch (err) {
        failure = err;
      } finally {
        deadline.cancel();
      }
      const durationMs = this.clock.ms() - began;
      // What the adaptive limit learns from: how long the agent took, and whether it answered at all.
      const answered = results !== undefined && [...results.values()].some((r) => r.reachable);
      release(agent !== undefined ? { latencyMs: durationMs, ok: answered } : undefined);
      if (failure !== undefined) {
        const isDeadline = failure instanceof PollDeadlineError || controller.signal.aborted;
        if (!isDeadline) this.opts.log?.error({ err: failure, kind, devices: devices.map((d) => d.name) }, 'poller failed');
        for (const { job, due } of items) {
          entries.get(job.key)!.abandoned = true;
          // A device that does not answer SNMP within the deadline counts as not answering; an ICMP run
          // that overstays says nothing about the devices (fping bounds itself), so it gives no verdict.
          const verdict = controller.signal.reason instanceof PollDeadlineError && kind !== 'icmp' ? false : undefined;
          this.finish(job, due, durationMs, undefined, isDeadline ? (failure as Error).message : `poller error: ${(failure as Error)?.message ?? String(failure)}`, verdict);
        }
        return;
      }
      const samples: Sample[] = [];
      for (const { job, due } of items) {
        const res = results!.get(job.device.name);
        if (res) samples.push(...res.samples);
        this.finish(job, due, durationMs, res, res ? undefined : 'the poller returned no result for this device', res?.reachable);
      }
      if (samples.length > 0) await this.opts.publish(samples);
    };
    const p = run().catch((err) => this.opts.log?.error({ err }, 'scheduler bug while running a poll'));
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  private finish(job: Job, due: number, durationMs: number, res: PollResult | undefined, error: string | undefined, reachable: boolean | undefined): void {
    const name = job.device.name;
    const ok = res !== undefined && res.reachable;
    const message = error ?? (res && res.errors.length > 0 ? res.errors.map((e) => e.message).join('; ') : undefined);
    const before = this.opts.states.get(name)?.status;
    this.opts.states.record(name, job.kind, { ok, reachable, durationMs, error: message });
    const after = this.opts.states.get(name)?.status;
    this.opts.metrics.completed(job.kind, name, ok, durationMs, this.clock.ms() - due);
    if (before !== after && after !== undefined) {
      const level = after === 'up' ? 'info' : 'warn';
      this.opts.log?.[level]({ device: name, from: before, to: after, reason: this.opts.states.get(name)?.reason },
        after === 'unreachable' ? `${name} unreachable: SNMP polls suspended until it answers ping` : `${name} is ${after}`);
    }
  }

  /**
   * Stops ticking and drains: polls under way may finish (and publish) for up to `drainMs`, then
   * the rest are aborted and abandoned. Emits the last `noctua_self` samples. Resolves with how
   * many polls were abandoned.
   */
  async stop(drainMs: number): Promise<{ abandoned: number }> {
    if (this.stopped) return { abandoned: 0 };
    this.stopped = true;
    this.ticker.stop();
    this.loopDelay.stop();
    for (const timer of this.deferred) timer.cancel();
    this.deferred.clear();
    const pending = [...this.inFlight];
    let timedOut = false;
    if (pending.length > 0) {
      let timer: { cancel(): void } | undefined;
      const limit = new Promise<void>((r) => { timer = this.clock.setTimeout(() => { timedOut = true; r(); }, drainMs); });
      await Promise.race([Promise.all(pending), limit]);
      timer?.cancel();
    }
    let abandoned = 0;
    if (timedOut) {
      const controllers = new Set<AbortController>();
      for (const r of this.running.values()) if (!r.abandoned) controllers.add(r.controller);
      abandoned = [...this.running.values()].filter((r) => !r.abandoned).length;
      for (const c of controllers) c.abort(new Error('Noctua is shutting down'));
      // Aborted polls settle on the next turns of the loop; give them a moment to record themselves.
      await Promise.race([Promise.all([...this.inFlight]), new Promise((r) => setTimeout(r, 200))]);
    }
    await this.emitSelf();
    return { abandoned };
  }
}
