/**
 * How Noctua's objects look on the wire: one zod schema per object (which is also its documented
 * response schema) and the function that maps the internal object onto it. Dates travel as RFC 3339.
 */
import { z } from 'zod';
import { DEVICE_CLASSES } from '../config/inventory-schema.js';
import { SEVERITIES, type IncidentEvent, type IncidentView } from '../core/incident.js';
import type { Sample } from '../core/sample.js';
import type { MaintenanceWindow, WindowStatus } from '../alerting/maintenance.js';
import { DEVICE_CONDITIONS, type AlertRecord, type DeviceSummary, type OnCallEntry } from './services/index.js';

const iso = z.string().describe('RFC 3339 date-time');
const text2 = z.object({ en: z.string(), 'zh-CN': z.string() });

function isoOf(d: Date | undefined): string | undefined {
  return d === undefined ? undefined : d.toISOString();
}

/** A device in lists and on the wall. */
export const deviceJson = z.object({
  name: z.string(),
  address: z.string(),
  site: z.string(),
  class: z.enum(DEVICE_CLASSES),
  tags: z.array(z.string()),
  description: z.string().optional(),
  vendor: z.string().optional(),
  model: z.string().optional(),
  sysName: z.string().optional(),
  state: z.enum(DEVICE_CONDITIONS),
  reason: z.string().optional(),
  stateSince: iso.optional(),
  lastPolledAt: iso.optional(),
  rttMs: z.number().optional(),
  lossPct: z.number().optional(),
  openIncidents: z.number().int(),
});
/** A device as sent. */
export type DeviceJson = z.infer<typeof deviceJson>;

/** Maps a registry entry to its wire form. */
export function deviceToJson(d: DeviceSummary): DeviceJson {
  return {
    name: d.name, address: d.address, site: d.site, class: d.class, tags: [...d.tags],
    description: d.description, vendor: d.vendor, model: d.model, sysName: d.sysName,
    state: d.state, reason: d.reason, stateSince: isoOf(d.stateSince), lastPolledAt: isoOf(d.lastPolledAt),
    rttMs: d.rttMs, lossPct: d.lossPct, openIncidents: d.openIncidents,
  };
}

const fieldValue = z.union([z.number(), z.boolean(), z.string()]);

/** One latest sample of a device. */
export const sampleJson = z.object({
  measurement: z.string(),
  tags: z.record(z.string(), z.string()),
  fields: z.record(z.string(), fieldValue),
  time: iso,
});

/** Maps a sample; integer counters (bigint) become JSON numbers, as in the JSON-lines contract. */
export function sampleToWire(s: Sample): z.infer<typeof sampleJson> {
  const fields: Record<string, number | boolean | string> = {};
  for (const [k, v] of Object.entries(s.fields)) fields[k] = typeof v === 'bigint' ? Number(v) : v;
  return { measurement: s.measurement, tags: { ...s.tags }, fields, time: s.time.toISOString() };
}

/** One interface of a device, from its latest `interface` sample. */
export const interfaceJson = z.object({
  ifIndex: z.string(),
  ifName: z.string(),
  ifAlias: z.string(),
  operUp: z.boolean().optional(),
  adminUp: z.boolean().optional(),
  speedBps: z.number().optional(),
  inBps: z.number().optional(),
  outBps: z.number().optional(),
  inUtilPct: z.number().optional(),
  outUtilPct: z.number().optional(),
  inErrorsPs: z.number().optional(),
  outErrorsPs: z.number().optional(),
  time: iso,
});

function num(v: unknown): number | undefined {
  return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : undefined;
}
function bool(v: unknown): boolean | undefined {
  return typeof v === 'boolean' ? v : undefined;
}

/** Interfaces out of a device's latest samples (docs/SCHEMA.md `interface`), ordered by ifIndex. */
export function interfacesOf(samples: readonly Sample[]): z.infer<typeof interfaceJson>[] {
  return samples
    .filter((s) => s.measurement === 'interface')
    .map((s) => ({
      ifIndex: s.tags.ifIndex ?? '', ifName: s.tags.ifName ?? '', ifAlias: s.tags.ifAlias ?? '',
      operUp: bool(s.fields.oper_up), adminUp: bool(s.fields.admin_up), speedBps: num(s.fields.speed_bps),
      inBps: num(s.fields.in_bps), outBps: num(s.fields.out_bps),
      inUtilPct: num(s.fields.in_util_pct), outUtilPct: num(s.fields.out_util_pct),
      inErrorsPs: num(s.fields.in_errors_ps), outErrorsPs: num(s.fields.out_errors_ps),
      time: s.time.toISOString(),
    }))
    .sort((a, b) => Number(a.ifIndex) - Number(b.ifIndex) || a.ifIndex.localeCompare(b.ifIndex));
}

/** An alert. */
export const alertJson = z.object({
  fingerprint: z.string(),
  rule: z.string(),
  severity: z.enum(SEVERITIES as [string, ...string[]]),
  device: z.string(),
  instance: z.string(),
  state: z.enum(['pending', 'firing', 'resolved']),
  value: z.union([z.number(), z.string()]).optional(),
  summary: text2,
  description: text2.optional(),
  labels: z.record(z.string(), z.string()),
  startsAt: iso,
  endsAt: iso.optional(),
  mutedBy: z.object({ kind: z.string(), detail: z.string() }).optional(),
  incidentId: z.string().optional(),
});

/** Maps an alert (with its incident id when known). */
export function alertToJson(a: AlertRecord): z.infer<typeof alertJson> {
  return {
    fingerprint: a.fingerprint, rule: a.rule, severity: a.severity, device: a.device, instance: a.instance,
    state: a.state, value: a.value, summary: a.summary, description: a.description, labels: { ...a.labels },
    startsAt: a.startsAt.toISOString(), endsAt: isoOf(a.endsAt), mutedBy: a.mutedBy, incidentId: a.incidentId,
  };
}

/** An incident with its alerts. */
export const incidentJson = z.object({
  id: z.string(),
  key: z.string(),
  title: z.string(),
  severity: z.enum(SEVERITIES as [string, ...string[]]),
  state: z.enum(['open', 'acknowledged', 'resolved']),
  device: z.string().optional(),
  site: z.string().optional(),
  openedAt: iso,
  acknowledgedAt: iso.optional(),
  acknowledgedBy: z.string().optional(),
  resolvedAt: iso.optional(),
  alerts: z.array(alertJson),
  muted: z.boolean(),
  mutedReason: z.string().optional(),
  flapping: z.boolean(),
  suppressedDevices: z.array(z.string()),
});
/** An incident as sent. */
export type IncidentJson = z.infer<typeof incidentJson>;

/** Maps an incident view from the alert engine. */
export function incidentToJson(i: IncidentView): IncidentJson {
  return {
    id: i.id, key: i.key, title: i.title, severity: i.severity, state: i.state, device: i.device, site: i.site,
    openedAt: i.openedAt.toISOString(), acknowledgedAt: isoOf(i.acknowledgedAt), acknowledgedBy: i.acknowledgedBy,
    resolvedAt: isoOf(i.resolvedAt), alerts: i.alerts.map((a) => alertToJson({ ...a, incidentId: i.id })),
    muted: i.muted, mutedReason: i.mutedReason, flapping: i.flapping, suppressedDevices: [...i.suppressedDevices],
  };
}

/** One step of an incident's life. */
export const timelineEntryJson = z.object({
  seq: z.number().int(),
  kind: z.enum(['opened', 'updated', 'acknowledged', 'unacknowledged', 'resolved', 'muted', 'unmuted', 'commented', 'clock-paused', 'clock-resumed']),
  at: iso,
  by: z.string().optional(),
  note: z.string().optional(),
  /** clock-paused / clock-resumed (api/pause-timeline.ts): why the SLA clocks stopped, and which pause. */
  reason: z.string().optional(),
  pauseId: z.string().optional(),
  state: z.enum(['open', 'acknowledged', 'resolved']),
  severity: z.enum(SEVERITIES as [string, ...string[]]),
});

/** Maps a persisted incident event to a timeline entry (the snapshot inside it is reduced to state and severity). */
export function timelineEntryToJson(e: IncidentEvent): z.infer<typeof timelineEntryJson> {
  return { seq: e.seq, kind: e.kind, at: e.at.toISOString(), by: e.by, note: e.note, state: e.incident.state, severity: e.incident.severity };
}

/** A maintenance window; for a recurring one (alerts.yaml `cron`) the current or next occurrence. */
export const maintenanceJson = z.object({
  id: z.string(),
  reason: z.string(),
  devices: z.array(z.string()),
  sites: z.array(z.string()),
  tags: z.array(z.string()),
  startsAt: iso,
  endsAt: iso,
  createdBy: z.string(),
  endedEarlyBy: z.string().optional(),
  readOnly: z.boolean(),
  active: z.boolean(),
});

/** When a window starts and ends: its current or next occurrence, or its fixed range; undefined for a cron window that never fires again. */
export function windowBounds(w: MaintenanceWindow & WindowStatus): { startsAt: Date; endsAt: Date } | undefined {
  const startsAt = w.start ?? (w.spec.start ? new Date(w.spec.start) : undefined);
  const endsAt = w.end ?? (w.spec.end ? new Date(w.spec.end) : undefined);
  return startsAt && endsAt ? { startsAt, endsAt } : undefined;
}

/** Maps a window with its bounds (see {@link windowBounds}), saying whether it is in force at `now`. */
export function maintenanceToJson(w: MaintenanceWindow, bounds: { startsAt: Date; endsAt: Date }, now: Date, endedEarlyBy?: string): z.infer<typeof maintenanceJson> {
  const { startsAt, endsAt } = bounds;
  return {
    id: w.id, reason: w.spec.reason, devices: [...(w.spec.devices ?? [])], sites: [...(w.spec.sites ?? [])], tags: [...(w.spec.deviceTags ?? [])],
    startsAt: startsAt.toISOString(), endsAt: endsAt.toISOString(), createdBy: w.createdBy ?? w.spec.owner,
    endedEarlyBy, readOnly: w.source === 'config',
    active: startsAt.getTime() <= now.getTime() && now.getTime() < endsAt.getTime(),
  };
}

/** Who is on call. */
export const onCallJson = z.object({ tier: z.number().int(), schedule: z.string().optional(), name: z.string(), contact: z.string().optional(), until: iso.optional() });

/** Maps an on-call entry. */
export function onCallToJson(e: OnCallEntry): z.infer<typeof onCallJson> {
  return { tier: e.tier, schedule: e.schedule, name: e.name, contact: e.contact, until: isoOf(e.until) };
}

/** A page of a list, with the total before paging so clients can page on. */
export function pageJson<T extends z.ZodType>(item: T) {
  return z.object({ total: z.number().int(), limit: z.number().int(), offset: z.number().int(), items: z.array(item) });
}

/** Paging query parameters shared by every list. */
export const pagingQuery = {
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
};

/** Cuts one page out of a filtered list. */
export function paginate<T>(items: T[], limit: number, offset: number): { total: number; limit: number; offset: number; items: T[] } {
  return { total: items.length, limit, offset, items: items.slice(offset, offset + limit) };
}
