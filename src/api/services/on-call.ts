import type { Awaitable } from './awaitable.js';

/** Who answers a page right now, per escalation tier. */
export interface OnCallEntry {
  tier: number;
  /** The on-call schedule this person comes from (notify.yaml), when there are several. */
  schedule?: string;
  name: string;
  contact?: string;
  /** When this person's shift ends, when the schedule knows. */
  until?: Date;
}

/** Escalation's on-call schedule. */
export interface OnCallView {
  current(now: Date): Awaitable<OnCallEntry[]>;
}
