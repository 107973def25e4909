import type { EventCount } from '../sources/influx-events.js';
import type { MetricsSource, TimeRange } from '../sources/types.js';

/** Types and devices listed at most: the rest are summed into the totals. */
const TOP_TYPES = 15;
const TOP_TALKERS = 10;

/** The events section of a report: how many events of which types, from which devices, in no language. */
export interface EventsSummary {
  total: number;
  bySource: { trap: number; syslog: number; poll: number };
  /** Of `total`, events storm control held back and summarised (a flapping port). */
  heldBack: number;
  /** Most frequent types first. */
  byType: { type: string; count: number; devices: number }[];
  /** The devices that sent the most events ("top talkers"), with their most frequent type. */
  topTalkers: { device: string; count: number; trap: number; syslog: number; topType: string; heldBack: number }[];
  /** Distinct devices with at least one event. */
  devices: number;
}

/** Folds per device/type/source counts into the section's figures. */
export function summariseEvents(counts: readonly EventCount[]): EventsSummary {
  const bySource = { trap: 0, syslog: 0, poll: 0 };
  const types = new Map<string, { count: number; devices: Set<string> }>();
  const devices = new Map<string, { count: number; trap: number; syslog: number; heldBack: number; types: Map<string, number> }>();
  let total = 0, heldBack = 0;
  for (const c of counts) {
    total += c.count;
    heldBack += c.heldBack;
    if (c.source === 'trap' || c.source === 'syslog') bySource[c.source] += c.count; else bySource.poll += c.count;
    const t = types.get(c.type) ?? { count: 0, devices: new Set<string>() };
    t.count += c.count;
    t.devices.add(c.device);
    types.set(c.type, t);
    const d = devices.get(c.device) ?? { count: 0, trap: 0, syslog: 0, heldBack: 0, types: new Map<string, number>() };
    d.count += c.count;
    d.heldBack += c.heldBack;
    if (c.source === 'trap') d.trap += c.count;
    if (c.source === 'syslog') d.syslog += c.count;
    d.types.set(c.type, (d.types.get(c.type) ?? 0) + c.count);
    devices.set(c.device, d);
  }
  const byName = <T>(a: [string, T], b: [string, T]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
  return {
    total, bySource, heldBack, devices: devices.size,
    byType: [...types].sort((a, b) => b[1].count - a[1].count || byName(a, b)).slice(0, TOP_TYPES)
      .map(([type, t]) => ({ type, count: t.count, devices: t.devices.size })),
    topTalkers: [...devices].sort((a, b) => b[1].count - a[1].count || byName(a, b)).slice(0, TOP_TALKERS).map(([device, d]) => ({
      device, count: d.count, trap: d.trap, syslog: d.syslog, heldBack: d.heldBack,
      topType: [...d.types].sort((a, b) => b[1] - a[1] || byName(a, b))[0]?.[0] ?? '',
    })),
  };
}

/** The period's events section; undefined when the metrics source cannot count events. */
export async function eventsSummary(metrics: MetricsSource, range: TimeRange): Promise<EventsSummary | undefined> {
  return metrics.events ? summariseEvents(await metrics.events(range)) : undefined;
}
