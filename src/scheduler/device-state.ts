import type { Device } from '../config/inventory-schema.js';
import type { Clock } from '../core/clock.js';
import { systemClock } from '../core/clock.js';
import type { PollKind } from '../core/poller.js';

/**
 * Whether a device answers, as its latest polls say (the API adds `maintenance` on top: DeviceCondition):
 * - `up`: the latest checks succeeded;
 * - `down`: it answers ping (or has no ICMP check) but its SNMP agent does not answer;
 * - `unreachable`: it does not answer ping, so its SNMP polls are suspended until it does;
 * - `unknown`: not polled yet.
 */
export type Reachability = 'up' | 'down' | 'unreachable' | 'unknown';
/** @deprecated the old name of {@link Reachability}, kept until tests/scheduler imports the new one. */
export type DeviceStatus = Reachability;

/** The latest poll of one kind on one device. */
export interface PollRecord {
  at: Date;
  ok: boolean;
  durationMs: number;
  error?: string;
}

/** One device as its polls left it: reachability, since when and why, and the latest poll of each kind. */
export interface DevicePollState {
  name: string;
  site: string;
  class: string;
  address: string;
  status: Reachability;
  /** When the status last changed. */
  since: Date;
  /** Why the device is not up, in a sentence. */
  reason?: string;
  last: Partial<Record<PollKind, PollRecord>>;
  lastError?: { kind: PollKind; at: Date; message: string };
  polls: { ok: number; failed: number; overruns: number };
}

/** What one finished poll tells the registry. */
export interface PollReport {
  ok: boolean;
  /** Whether the device answered at all; undefined when the poll failed for a reason of our own (no verdict). */
  reachable?: boolean;
  durationMs: number;
  error?: string;
}

interface Entry { state: DevicePollState; icmp?: boolean; snmp?: boolean; snmpError?: string; icmpError?: string }

/** Called with the device's state after its status changed, and the status before. */
export type StatusListener = (state: Readonly<DevicePollState>, previous: Reachability) => void;

/** The device-state registry: one entry per scheduled device, updated by the scheduler after each poll. */
export class DeviceStateRegistry {
  private entries = new Map<string, Entry>();
  private listeners = new Set<StatusListener>();
  constructor(private clock: Clock = systemClock) {}

  /** Adds entries for new devices (status unknown) and drops those no longer in the inventory. */
  sync(devices: readonly Device[]): void {
    const keep = new Set(devices.map((d) => d.name));
    for (const name of this.entries.keys()) if (!keep.has(name)) this.entries.delete(name);
    for (const d of devices) {
      const e = this.entries.get(d.name);
      if (e) { Object.assign(e.state, { site: d.site, class: d.class, address: d.address }); continue; }
      this.entries.set(d.name, {
        state: { name: d.name, site: d.site, class: d.class, address: d.address, status: 'unknown', since: this.clock.now(), last: {}, polls: { ok: 0, failed: 0, overruns: 0 } },
      });
    }
  }

  /** The state of one device, or undefined when it is not scheduled. */
  get(name: string): Readonly<DevicePollState> | undefined { return this.entries.get(name)?.state; }

  /** Every scheduled device, sorted by name. */
  list(): Readonly<DevicePollState>[] {
    return [...this.entries.values()].map((e) => e.state).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** True while ICMP says the device does not answer: its SNMP polls back off. */
  isUnreachable(name: string): boolean { return this.entries.get(name)?.state.status === 'unreachable'; }

  /** Registers a listener for status changes; returns the function that removes it. */
  onStatusChange(fn: StatusListener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Counts a due poll that was skipped because the previous one still ran. */
  recordOverrun(name: string): void {
    const e = this.entries.get(name);
    if (e) e.state.polls.overruns++;
  }

  /** Records a finished poll and recomputes the status. Unknown names (removed during the poll) are ignored. */
  record(name: string, kind: PollKind, r: PollReport): void {
    const e = this.entries.get(name);
    if (!e) return;
    const at = this.clock.now();
    e.state.last[kind] = { at, ok: r.ok, durationMs: r.durationMs, ...(r.error ? { error: r.error } : {}) };
    if (r.ok) e.state.polls.ok++; else e.state.polls.failed++;
    if (r.error) e.state.lastError = { kind, at, message: r.error };
    if (r.reachable !== undefined) {
      if (kind === 'icmp') { e.icmp = r.reachable; e.icmpError = r.error; } else { e.snmp = r.reachable; e.snmpError = r.error; }
    }
    const prev = e.state.status;
    let next: Reachability;
    let reason: string | undefined;
    if (e.icmp === false) {
      next = 'unreachable';
      reason = `no answer to ping${e.icmpError ? ` (${e.icmpError})` : ''}`;
      // An SNMP verdict from before the outage says nothing about the device once it answers again.
      e.snmp = undefined;
    } else if (e.snmp === false) {
      next = 'down';
      reason = `SNMP agent not answering${e.snmpError ? ` (${e.snmpError})` : ''}`;
    } else if (e.icmp || e.snmp) {
      next = 'up';
    } else {
      next = prev === 'unknown' ? 'unknown' : prev;
    }
    e.state.reason = reason;
    if (next !== prev) {
      e.state.status = next;
      e.state.since = at;
      for (const fn of this.listeners) fn(e.state, prev);
    }
  }
}
