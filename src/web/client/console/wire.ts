/**
 * The API's JSON as the console reads it: the types are inferred from the server's own zod response schemas
 * (type-only imports, erased from the bundle), so a changed field breaks the console's type check, not the page.
 */
import type { z } from 'zod';
import type { alertJson, deviceJson, incidentJson, interfaceJson, maintenanceJson, onCallJson, sampleJson, timelineEntryJson } from '../../../api/views.js';
import type { failedJson, incidentNoticeJson, outboxJson, slaJson } from '../../../api/routes/paging.js';
import type { reportJson } from '../../../api/routes/reports.js';
import type { streamStatusJson } from '../../../api/routes/stream.js';
import type { auditJson } from '../../../api/routes/audit.js';
import type { userJson } from '../../../api/routes/users.js';

/** A list answer. */
export interface Page<T> { total: number; limit: number; offset: number; items: T[] }
/** An incident with its alerts. */
export type Incident = z.infer<typeof incidentJson>;
/** An alert. */
export type Alert = z.infer<typeof alertJson>;
/** A timeline step. */
export type TimelineEntry = z.infer<typeof timelineEntryJson>;
/** A notice written for an incident. */
export type IncidentNotice = z.infer<typeof incidentNoticeJson>;
/** An incident's SLA record. */
export type Sla = z.infer<typeof slaJson>;
/** `GET /incidents/:id`. */
export interface IncidentDetail { incident: Incident; timeline: TimelineEntry[]; sla?: Sla; notices: IncidentNotice[] }
/** A device in lists. */
export type Device = z.infer<typeof deviceJson>;
/** An interface's latest figures. */
export type Interface = z.infer<typeof interfaceJson>;
/** A latest sample. */
export type SampleJson = z.infer<typeof sampleJson>;
/** `GET /devices/:name`. */
export interface DeviceDetail { device: Device; latest: SampleJson[]; interfaces: Interface[]; openAlerts: Alert[] }
/** `GET /devices/:name/series`. */
export interface SeriesAnswer {
  device: string; measurement: string; field: string; from: string; to: string; stepMs: number;
  series: { tags: Record<string, string>; points: { time: string; value: number | null }[] }[];
}
/** A maintenance window. */
export type Maintenance = z.infer<typeof maintenanceJson>;
/** A person on call. */
export type OnCall = z.infer<typeof onCallJson>;
/** `GET /on-call`. */
export interface OnCallAnswer { at: string; now: OnCall[]; next: OnCall[] }
/** A failed notice. */
export type FailedNotice = z.infer<typeof failedJson>;
/** The outbox counts. */
export type OutboxCounts = z.infer<typeof outboxJson>;
/** `GET /status`. */
export interface StatusAnswer { at: string; schedulerRunning: boolean; influx: string; lastCycleAt?: string; paging: boolean; outbox?: OutboxCounts }
/** A stored report. */
export type Report = z.infer<typeof reportJson>;
/** The stream's status beat. */
export type StreamStatus = z.infer<typeof streamStatusJson>;
/** The stream's incident event. */
export interface IncidentEvent { seq: number; kind: string; at: string; by?: string; note?: string; incident: Incident }
/** One row of the audit trail. */
export type AuditRow = z.infer<typeof auditJson>;
/** A local user (`GET /users`). */
export type UserJson = z.infer<typeof userJson>;
