import type { Readings } from './readings.js';
import type { ReportModel } from './types.js';

/** Devices added and removed since the previous period, identity changes and reboots. */
export function changes(readings: Readings): ReportModel['changes'] {
  const now = new Set(readings.seen.map((d) => d.device));
  const before = new Set(readings.previousSeen.map((d) => d.device));
  const previousHasData = readings.previousSeen.length > 0;
  return {
    previousHasData,
    added: previousHasData ? readings.seen.filter((d) => !before.has(d.device)) : [],
    removed: previousHasData ? readings.previousSeen.filter((d) => !now.has(d.device)) : [],
    identity: readings.identity.flatMap((h) => h.changes.map((c) => ({ device: h.device, ...c }))).sort((a, b) => a.time.getTime() - b.time.getTime()),
    reboots: readings.reboots,
  };
}
