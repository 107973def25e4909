import type { Device } from '../config/inventory-schema.js';
import type { PollKind } from '../core/poller.js';

/* The scheduler's bookkeeping types and constants (scheduler.ts holds the logic). */

/** One kind of poll on one device. */
export interface Job {
  key: string;
  device: Device;
  kind: PollKind;
  intervalMs: number;
  offsetMs: number;
  nextDue: number;
  /** The first poll of a slow kind comes early (see FIRST_POLL_WITHIN_MS); afterwards the job keeps its phase. */
  early: boolean;
}

/** Every poll kind, in the order a device's jobs are made. */
export const KINDS: readonly PollKind[] = ['icmp', 'snmp', 'inventory'];

/**
 * A newly scheduled device is polled within this time for every kind, then settles into its phase:
 * otherwise a device added to a 6-hour inventory schedule could wait 6 hours to be identified.
 */
export const FIRST_POLL_WITHIN_MS = 60_000;

/** A tick with more single-device polls due than this starts them over the second instead of at once. */
export const SPREAD_MIN = 16;
/** Groups a large tick is split into, 1000 / SPREAD_STEPS ms apart. */
export const SPREAD_STEPS = 4;

/** How long an aborted poll may take to hand back its partial result before it is abandoned. */
export const ABORT_GRACE_MS = 250;

/** A poll under way (or abandoned at its deadline but not yet returned). */
export interface Running {
  startedAt: number;
  controller: AbortController;
  /** After this the job may be polled again even if the poller never returned (it ignored the abort). */
  releaseAt: number;
  abandoned: boolean;
  /** The device was changed or removed while this ran: forget the poller's state once it returns. */
  forgetAfter: boolean;
}

/** Thrown into a poll's AbortSignal when its deadline passes. */
export class PollDeadlineError extends Error {
  constructor(ms: number) { super(`poll deadline of ${ms} ms passed`); this.name = 'PollDeadlineError'; }
}

/** The agent a device's SNMP and inventory polls go to: its address and port (devices behind one address share it). */
export function agentOf(d: Device): string {
  return d.snmp === false ? d.address : `${d.address}:${d.snmp.port}`;
}

/** Same settings: a changed device is rescheduled. */
export function sameDevice(a: Device, b: Device): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** What is left before a job's next slot when its poll must be over: the abort grace and a little slack. */
export const END_MARGIN_MS = ABORT_GRACE_MS + 50;

/**
 * When a poll gives up waiting for a slot, and when it is aborted once it runs. Never earlier than
 * `deadlineMs` after dispatch (the configured share of the interval), and a poll that waited is not failed
 * earlier than needed: it may wait until the job's next slot less the time a poll takes now (`expectedMs`), and
 * once it runs it gets `deadlineMs`, bounded by that next slot (a poll still running then would be an overrun).
 */
export function pollDeadlines(o: { start: number; due: number; intervalMs: number; deadlineMs: number; expectedMs: number }): { waitUntil: number; runEnd: (began: number) => number } {
  const earliest = o.start + o.deadlineMs;
  const endBy = Math.max(earliest, o.due + o.intervalMs - END_MARGIN_MS);
  return {
    waitUntil: Math.max(earliest, endBy - Math.max(0, o.expectedMs)),
    runEnd: (began) => Math.max(earliest, Math.min(began + o.deadlineMs, endBy)),
  };
}
