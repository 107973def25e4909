/**
 * SLA clock pauses (src/alerting/escalation/pauses.ts) as entries of an incident's timeline: a pause is kept in its
 * own table, not as an incident event, so the timeline the API returns weaves them in by time.
 */
import type { SlaPause } from '../alerting/escalation/pauses.js';
import type { timelineEntryJson } from './views.js';
import type { z } from 'zod';

type Entry = z.infer<typeof timelineEntryJson>;

/**
 * The timeline with a `clock-paused` entry at each pause's start and a `clock-resumed` entry at its end, in time order.
 * A pause entry carries the `seq` of the last incident event before it (so a client sorting by seq keeps the order),
 * that event's state and severity, the pause's id and its reason.
 */
export function withPauses(entries: readonly Entry[], pauses: readonly SlaPause[]): Entry[] {
  if (pauses.length === 0) return [...entries];
  const marks: { at: Date; entry: Omit<Entry, 'seq' | 'state' | 'severity'> }[] = [];
  for (const p of pauses) {
    marks.push({ at: p.startedAt, entry: { kind: 'clock-paused', at: p.startedAt.toISOString(), by: p.startedBy, note: p.note, reason: p.reason, pauseId: p.id } });
    if (p.endedAt) marks.push({ at: p.endedAt, entry: { kind: 'clock-resumed', at: p.endedAt.toISOString(), by: p.endedBy, reason: p.reason, pauseId: p.id } });
  }
  const out: Entry[] = [...entries];
  for (const m of marks) {
    // After every event at or before the mark: a pause set in the same millisecond as an event follows it.
    let i = 0;
    while (i < out.length && Date.parse(out[i]!.at) <= m.at.getTime()) i++;
    const before = out[i - 1] ?? out[0];
    if (!before) continue; // no events at all: the incident is unknown to the timeline
    out.splice(i, 0, { ...m.entry, seq: i > 0 ? before.seq : 0, state: before.state, severity: before.severity });
  }
  return out;
}
