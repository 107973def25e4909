/**
 * What the API needs from the rest of Noctua, and nothing more. The integrator adapts the real
 * modules (scheduler's device registry, storage's query reader, the alert engine, escalation) to
 * these ports in src/main.ts; route tests use in-memory implementations of the same ports.
 */
import type { Registry } from 'prom-client';
import type { DeviceClass } from '../config/inventory-schema.js';
import type { ConfigError } from '../config/yaml-source.js';
import type { IncidentActions, IncidentEvent, IncidentView, AlertView } from '../core/incident.js';
import type { Sample } from '../core/sample.js';
import type { FailedNotice, OutboxStats } from '../alerting/outbox.js';
import type { SlaRecord } from '../alerting/escalation/sla.js';
import type { ReportLang } from '../reports/format.js';
import type { ReportFormatName } from '../reports/generate.js';
import type { ReportPeriod } from '../reports/period.js';

/** A value or a promise of it: real stores are synchronous (SQLite) or not (InfluxDB). */
export type Awaitable<T> = T | Promise<T>;

/** The state the wall colours a device tile by. */
export const DEVICE_STATES = ['up', 'down', 'unreachable', 'maintenance', 'unknown'] as const;
/**
 * As the scheduler's DeviceStateRegistry defines them: up: the latest checks succeeded; down: answers
 * ping but its SNMP agent does not; unreachable: does not answer ping; unknown: not polled yet. Plus
 * maintenance: inside an active maintenance window (from the alert engine), whatever the polls say.
 */
export type DeviceState = (typeof DEVICE_STATES)[number];

/** One device as the device-state registry knows it now. */
export interface DeviceStatus {
  name: string;
  address: string;
  site: string;
  class: DeviceClass;
  tags: string[];
  description?: string;
  /** From identification (system measurement); absent until the first SNMP poll. */
  vendor?: string;
  model?: string;
  sysName?: string;
  state: DeviceState;
  /** Why the device is not up, in a sentence (from the registry). */
  reason?: string;
  /** When the device entered its current state. */
  stateSince?: Date;
  /** End of the last poll of any kind. */
  lastPolledAt?: Date;
  /** Latest ICMP figures, for the wall's WAN sparklines; absent when never pinged or nothing came back. */
  rttMs?: number;
  lossPct?: number;
  openIncidents: number;
}

/** The scheduler's device-state registry. */
export interface DeviceDirectory {
  list(): Awaitable<DeviceStatus[]>;
  get(name: string): Awaitable<DeviceStatus | undefined>;
  /** The most recent sample per measurement and instance for one device (interfaces, cpu, memory, sensors, ...). */
  latestSamples(name: string): Awaitable<readonly Sample[]>;
}

/** One question to the time-series store: one field of one measurement of one device. */
export interface SeriesQuery {
  device: string;
  measurement: string;
  field: string;
  /** Extra tag matches such as { ifName: 'GE0/0/1' }. */
  where: Record<string, string>;
  from: Date;
  to: Date;
  /** Bucket width; each point is the mean of its bucket. */
  stepMs: number;
}

/** One series per distinct tag set (e.g. one per interface). */
export interface Series {
  tags: Record<string, string>;
  points: { time: Date; value: number | null }[];
}

/** Storage's query reader (InfluxDB). */
export interface MetricsReader {
  series(query: SeriesQuery): Promise<Series[]>;
}

/** An alert as the alert engine lists it, with the incident it belongs to when it belongs to one. */
export type AlertRecord = AlertView & { incidentId?: string };

/** The alert engine's incident store, read side plus {@link IncidentActions}. */
export interface IncidentService extends IncidentActions {
  /** Every incident not resolved, plus those resolved at or after `since`. */
  listIncidents(since: Date): Awaitable<IncidentView[]>;
  get(id: string): Awaitable<IncidentView | undefined>;
  /** The persisted transitions of one incident, oldest first. */
  timeline(id: string): Awaitable<IncidentEvent[]>;
  /** Every alert not resolved, plus those that ended at or after `since`. */
  listAlerts(since: Date): Awaitable<AlertRecord[]>;
}

/** A planned window during which matching devices' alerts are muted and their tiles show maintenance. */
export interface MaintenanceWindow {
  id: string;
  reason: string;
  devices: string[];
  sites: string[];
  tags: string[];
  startsAt: Date;
  endsAt: Date;
  createdBy: string;
  /** When it was planned, where the store keeps it. */
  createdAt?: Date;
  /** Set when someone ended the window before endsAt. */
  endedEarlyBy?: string;
  /** Windows defined in alerts.yaml: listed, but changed only by editing the file. */
  readOnly?: boolean;
}

/** What it takes to create a window; the API has already checked the device and site names. */
export type NewMaintenanceWindow = Pick<MaintenanceWindow, 'reason' | 'devices' | 'sites' | 'tags' | 'startsAt' | 'endsAt' | 'createdBy'>;

/** The alert engine's maintenance store (the maintenance muter reads the same windows). */
export interface MaintenanceService {
  list(): Awaitable<MaintenanceWindow[]>;
  create(input: NewMaintenanceWindow): Awaitable<MaintenanceWindow>;
  /** Sets endsAt to `at`; undefined when there is no such window. */
  endEarly(id: string, by: string, at: Date): Awaitable<MaintenanceWindow | undefined>;
  /** False when there is no such window. */
  remove(id: string): Awaitable<boolean>;
}

/** The outcome of checking the configuration on disk, with check-config's errors. */
export type ConfigCheck =
  | { ok: true; devices: number; sites: number; disabled: number }
  | { ok: false; errors: ConfigError[] };

/** Validates the configuration directory and swaps it into the running process. */
export interface ConfigService {
  validate(): Promise<ConfigCheck>;
  /** Validates, then applies only when valid; the running configuration is untouched otherwise. */
  reload(by: string): Promise<ConfigCheck>;
}

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

/** What /readyz reports about the parts the API depends on. */
export interface Readiness {
  configLoaded: boolean;
  /** 'spooling' counts as ready: samples are kept on disk until InfluxDB is back. */
  influx: 'reachable' | 'spooling' | 'down';
  schedulerRunning: boolean;
  /** End of the scheduler's last completed cycle; the wall turns stale when this gets old. */
  lastCycleAt?: Date;
}

/** The runtime's health summary. */
export interface HealthProbe {
  readiness(): Awaitable<Readiness>;
}

/** A change the wall must show at once. */
export type LiveEvent =
  | { type: 'device'; device: DeviceStatus }
  | { type: 'incident'; event: IncidentEvent };

/** Pushes device state changes (scheduler registry) and incident events (alert engine) to the live stream. */
export interface LiveFeed {
  /** Returns the function that stops the subscription. */
  subscribe(listener: (event: LiveEvent) => void): () => void;
}

/** A report file under the state directory (`reports/<kind>/<period>.<lang>.<format>`). */
export interface StoredReport {
  kind: ReportKindName;
  /** The period label: `2026-W47`, `2026-11` or `2026-11-16_2026-11-22`. */
  period: string;
  lang: ReportLang;
  format: ReportFormatName;
  bytes: number;
  modifiedAt: Date;
}

/** Folders reports are stored in: the scheduled kinds, plus `custom` for a --from/--to range. */
export const REPORT_KINDS = ['weekly', 'monthly', 'custom'] as const;
/** One report folder. */
export type ReportKindName = (typeof REPORT_KINDS)[number];

/** A report asked for through the API; the period is already checked. */
export interface ReportRequest {
  period: ReportPeriod;
  lang: ReportLang;
  format: ReportFormatName;
}

/** What generating a report produced. */
export interface GeneratedReport {
  report: StoredReport;
  verdict: 'normal' | 'abnormal' | 'no-data';
  attentionCount: number;
  devicesInspected: number;
}

/** The report store and generator (src/reports) over the state directory. */
export interface ReportService {
  /** Time zone periods are read in (noctua.yaml `timezone`). */
  readonly timeZone: string;
  /** Locale a report is written in when the request names none. */
  readonly locale: ReportLang;
  list(): Awaitable<StoredReport[]>;
  generate(request: ReportRequest): Promise<GeneratedReport>;
  /** The stored file, or undefined when there is none; the name parts are already checked. */
  read(kind: ReportKindName, period: string, lang: ReportLang, format: ReportFormatName): Awaitable<{ report: StoredReport; content: Buffer } | undefined>;
}

/** Escalation's durable outbox, SLA records and acknowledge links. */
export interface PagingService {
  outboxStats(): Awaitable<OutboxStats>;
  /** Notices given up on, newest first. */
  failedNotices(limit: number): Awaitable<FailedNotice[]>;
  /** Queues a failed notice again; false when there is no failed notice with that id. */
  retryNotice(id: string): Awaitable<boolean>;
  slaRecord(incidentId: string): Awaitable<SlaRecord | undefined>;
  /** Acknowledges the incident named by a signed link token; `changed` is false when it was already acknowledged or resolved. */
  acknowledgeWithToken(token: string): Awaitable<{ ok: true; incident: IncidentView; changed: boolean } | { ok: false; reason: string; message: string }>;
}

/** Everything the API serves, one port per real module. */
export interface ApiPorts {
  devices: DeviceDirectory;
  metrics: MetricsReader;
  incidents: IncidentService;
  maintenance: MaintenanceService;
  config: ConfigService;
  onCall: OnCallView;
  health: HealthProbe;
  live: LiveFeed;
  /** Noctua's self metrics, served as Prometheus text at /metrics. */
  registry: Registry;
  /** Stored and on-demand reports; absent where no state directory is known. */
  reports?: ReportService;
  /** Escalation; absent without notify.yaml (then nothing is paged, and there is no outbox). */
  paging?: PagingService;
}
